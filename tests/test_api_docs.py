"""docs/api.md keeps up with the analysis tables: every CSV header is listed, in order, in its
"Every table as CSV" table, and each analysis endpoint is in the endpoint table."""

import csv
import io
from pathlib import Path

import pytest

DOCS = (Path(__file__).resolve().parents[1] / "docs" / "api.md").read_text()


def documented_columns(page: str) -> tuple[str, ...]:
    """The columns the CSV table of docs/api.md lists for ``page`` (its first cell)."""
    table = DOCS.split("## Every table as CSV", 1)[1].split("\n## ", 1)[0]
    (row,) = [line for line in table.splitlines() if line.startswith(f"| `{page}")]
    cell = row.strip("|").split(" | ")[2]
    return tuple(part.strip().strip("`") for part in cell.split(","))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("page", "address"),
    [
        ("/stats/?by=", "/stats/?by=category&over=year&format=csv"),
        ("/stats/letters/", "/stats/letters/?format=csv"),
        ("/stats/decision-days/", "/stats/decision-days/?format=csv"),
        ("/compare/", "/compare/?a=&b=&format=csv"),
    ],
)
def test_each_analysis_csv_header_is_documented_in_order(client, page, address):
    """The header the page's CSV download really has (an empty archive: the header alone)."""
    body = client.get(address).content.decode("utf-8-sig")
    header = tuple(next(csv.reader(io.StringIO(body))))
    assert documented_columns(page) == header


@pytest.mark.parametrize(
    "endpoint",
    ["/api/stats/letters/", "/api/stats/decision-days/", "/api/compare/", "/api/reports/<year>/"],
)
def test_each_analysis_endpoint_is_in_the_endpoint_table(endpoint):
    assert f"| `GET {endpoint}" in DOCS
