"""Find a Prefect server already running on this machine, so a run need not start its own.

Prefect's ephemeral mode starts a server inside every `dateline run` (~20 s here); a server that
`dateline ui` (or `prefect server start`) keeps on 127.0.0.1 answers at once and shows the run in
its UI. Only the loopback address is asked, with a short timeout, so asking costs little when no server is up.
"""

from __future__ import annotations

import http.client


def local_prefect_api(port: int, timeout_s: float = 0.5) -> str | None:
    """The API URL of a healthy Prefect server on 127.0.0.1:`port`, else None."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout_s)
    try:
        conn.request("GET", "/api/health")
        response = conn.getresponse()
        healthy = response.status == 200 and response.read(16).strip() == b"true"
    except (OSError, http.client.HTTPException):
        return None
    finally:
        conn.close()
    return f"http://127.0.0.1:{port}/api" if healthy else None
