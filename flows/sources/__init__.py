"""Article sources: where raw records come from, one module per kind behind one interface.

- `base`: the `ArticleSource` interface (`name`, `read()`), `SourceProblem`, bounded file reads;
- `files`: files and folders (.txt, .html, .jsonl, .csv, Reuters SGML; a folder's feed files);
- `web`: RSS/Atom feeds (URL or file), single article URLs and URL lists, fetched under one policy;
- `resolve`: specs (paths, URLs) → sources, and all sources → one stream of records.

A problem costs one record or one file, never the run.
"""
