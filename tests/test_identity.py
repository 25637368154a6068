from transforms.identity import article_id, canonical_url, content_hash, domain_of


def test_canonical_url_drops_tracking_fragment_and_case():
    assert canonical_url("HTTPS://Example.com/a?utm_source=x&id=3&fbclid=y#top") == "https://example.com/a?id=3"


def test_canonical_url_keeps_non_default_port_and_drops_default():
    assert canonical_url("http://Example.com:80/x") == "http://example.com/x"
    assert canonical_url("http://example.com:8080/x") == "http://example.com:8080/x"


def test_canonical_url_rejects_non_http():
    assert canonical_url("javascript:alert(1)") is None
    assert canonical_url("file:///etc/passwd") is None
    assert canonical_url("") is None


def test_article_id_same_for_tracking_variants_and_differs_by_path():
    a = article_id("https://example.com/story?utm_medium=rss", "x")
    assert a == article_id("https://EXAMPLE.com/story#comments", "different text")
    assert a != article_id("https://example.com/other", "x")


def test_article_id_from_text_ignores_case_and_whitespace():
    assert article_id(None, "Hello   World\n") == article_id(None, "hello world")
    assert article_id(None, "hello world") != article_id(None, "hello there")


def test_content_hash_is_exact():
    assert content_hash("a") != content_hash("a ")


def test_domain_strips_www():
    assert domain_of("https://www.theglobeandmail.com/world/x") == "theglobeandmail.com"


def test_event_frame_schema_matches_event_record_and_table():
    """The events frame, the Event record and schema.sql must name the same columns."""
    import re
    from pathlib import Path

    from transforms.events import Event
    from transforms.nlp import EVENT_SCHEMA

    assert set(EVENT_SCHEMA) - {"run_id", "pipeline_version"} == set(Event.__dataclass_fields__)
    sql = (Path(__file__).parents[1] / "warehouse" / "schema.sql").read_text()
    body = sql.split("create table if not exists events (")[1].split(");")[0]
    columns = {m.group(1) for m in re.finditer(r"^\s+(\w+)\s+\w+", body, re.M)}
    assert columns == set(EVENT_SCHEMA)


def test_language_tags_normalise_to_iso639_1():
    from transforms.articles import normalise_language

    assert normalise_language("en-GB") == "en"
    assert normalise_language("EN_us") == "en"
    assert normalise_language("deu") == "de"
    assert normalise_language("english") is None
    assert normalise_language("") is None


def test_record_fingerprint_ignores_where_a_record_was_read_but_not_its_content():
    from transforms.identity import record_fingerprint

    rec = {"text": "Body", "title": "T", "published_at": "2024-01-01", "source_key": "a.jsonl:1", "source_path": "a.jsonl"}
    same = dict(rec, source_key="b.jsonl:9", source_path="b.jsonl")
    assert record_fingerprint(rec) == record_fingerprint(same)
    for key, value in (("text", "Body!"), ("title", "T2"), ("published_at", "2024-01-02"), ("url", "https://x.org/")):
        assert record_fingerprint(dict(rec, **{key: value})) != record_fingerprint(rec), key
    assert record_fingerprint(rec, "v2|1000|UTC") != record_fingerprint(rec, "v1|1000|UTC")
    # a field's value cannot leak into the next field's name
    assert record_fingerprint({"a": "bc"}) != record_fingerprint({"ab": "c"})
