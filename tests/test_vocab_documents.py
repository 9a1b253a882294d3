"""The guideline documents' one spelling and the web-address rule (parsing/vocab/documents.py)."""

from __future__ import annotations

import pytest

from determinations.parsing.vocab.citations import parse_citations
from determinations.parsing.vocab.documents import SPELLINGS, canonical_document, site_of


@pytest.mark.parametrize(
    ("source", "document", "expected"),
    [
        # Case, white space, "&" and punctuation variants of a table entry.
        ("ACOEM", "Low back disorders", "Low Back Disorders"),
        ("ACOEM", "LOW BACK DISORDERS", "Low Back Disorders"),
        ("ACOEM", " Low  Back\tDisorders ", "Low Back Disorders"),
        ("ACOEM", "Hip & Groin Disorders", "Hip and Groin Disorders"),
        (
            "ACOEM",
            "Independent Medical Examinations & Consultations",
            "Independent Medical Examinations and Consultations",
        ),
        # ACOEM's practice guidelines as a whole, however the letter names them.
        ("ACOEM", "ACOEM", "ACOEM Practice Guidelines"),
        ("ACOEM", "ACOEM Guidelines", "ACOEM Practice Guidelines"),
        ("ACOEM", "ACOEM's Practice Guidelines", "ACOEM Practice Guidelines"),
        ("ACOEM", "Occupational medicine practice guidelines", "ACOEM Practice Guidelines"),
        ("ACOEM", "ACOEM Occupational Medicine Practice Guidelines", "ACOEM Practice Guidelines"),
        (
            "ACOEM",
            "American College of Occupational and Environmental Medicine (ACOEM) Practice "
            "Guidelines",
            "ACOEM Practice Guidelines",
        ),
        # An ACOEM or ODG title outside the table: title case, capitals and digits kept.
        ("ACOEM", "elbow disorders", "Elbow Disorders"),
        ("ACOEM", "cervical and thoracic spine disorders", "Cervical and Thoracic Spine Disorders"),
        ("ACOEM", "the MDA guide for the low back", "The MDA Guide for the Low Back"),
        ("ODG", "integrated treatment", "Integrated Treatment"),
        ("ODG", "Low Back", "Low Back"),
        ("ODG", "Forearm, Wrist and Hand", "Forearm, Wrist and Hand"),
        ("ODG", "Fitness for Duty", "Fitness for Duty"),
        # The closed MTUS list is already in its spelling.
        ("MTUS", "Forearm, Wrist, and Hand Complaints", "Forearm, Wrist, and Hand Complaints"),
        ("MTUS", "ACOEM Practice Guidelines", "ACOEM Practice Guidelines"),
        # AMA Guides and Other: the table, else as named (no title case: "UpToDate", "pH").
        (
            "AMA Guides",
            "guides to the evaluation of permanent impairment",
            "AMA Guides to the Evaluation of Permanent Impairment",
        ),
        ("Other", "Medical Disability Advisor", "Medical Disability Advisor (MDA)"),
        ("Other", "medical disability advisor (MDA)", "Medical Disability Advisor (MDA)"),
        ("Other", "Sildenafil: drug information", "Sildenafil: Drug information"),
        ("Other", "pH monitoring  in UpToDate", "pH monitoring in UpToDate"),
        # A spelling belongs to its own source only.
        ("Other", "Low back disorders", "Low back disorders"),
        ("ODG", None, None),
        ("Other", "   ", None),
    ],
)
def test_each_document_has_one_spelling(source, document, expected):
    assert canonical_document(source, document) == expected


@pytest.mark.parametrize(
    ("source", "canonical", "variants"),
    [(source, c, v) for source, entries in SPELLINGS.items() for c, v in entries],
)
def test_every_entry_and_variant_of_the_table_reads_as_the_entry(source, canonical, variants):
    for spelling in (canonical, *variants, canonical.lower(), canonical.upper()):
        assert canonical_document(source, spelling) == canonical


def test_the_spelling_is_stable():
    """Applied twice it changes nothing: a re-parse never moves a document again."""
    for source, entries in SPELLINGS.items():
        for _, variants in entries:
            for spelling in variants:
                once = canonical_document(source, spelling)
                assert canonical_document(source, once) == once
    for title in ("elbow disorders", "Sildenafil: drug information", "hip and groin"):
        once = canonical_document("ACOEM", title)
        assert canonical_document("ACOEM", once) == once


@pytest.mark.parametrize(
    ("address", "site"),
    [
        ("www.mdguidelines.com", "mdguidelines.com"),
        ("www.mdguidelines.com.", "mdguidelines.com"),
        ("http://www.aetna.com/cpb/medical/data/100_199/0181.html", "aetna.com"),
        ("https://www.cms.gov/Regulations-and-Guidance/R148CIM.pdf.", "cms.gov"),
        ("http://www.ncbi.nlm.nih.gov/pubmed/123456", "ncbi.nlm.nih.gov"),
        ("www.drugs.com/pro/tramadol.html", "drugs.com"),
        ("HTTPS://WWW.UpToDate.com/contents/x?search=y", "uptodate.com"),
        ("https://guidelines.example.org:8443/a", "guidelines.example.org"),
        ("https://www2.example.org/", "www2.example.org"),
        ("http://", None),
        ("www.", None),
        ("http://localhost/x", None),
    ],
)
def test_a_web_address_is_called_by_its_site(address, site):
    assert site_of(address) == site


@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        # Named only by a web address: the site is the document.
        (
            "Decision based on Non-MTUS Citation www.drugs.com/pro/tramadol.html.",
            [("Other", "drugs.com")],
        ),
        (
            "Decision based on Non-MTUS Citation Other Medical Treatment Guidelines "
            "http://www.aetna.com/cpb/medical/data/100_199/0181.html.",
            [("Other", "aetna.com")],
        ),
        (
            "Decision based on Non-MTUS Citation ODG Knee, Lumbar MRI. Other Medical Treatment "
            "Guidelines www.mdguidelines.com.",
            [("ODG", "Knee and Leg"), ("Other", "mdguidelines.com")],
        ),
        # A title named beside the address stays the document.
        (
            "Decision based on Non-MTUS Citation Sildenafil: Drug information, accessed from "
            "www.uptodate.com on 12/17/2016.",
            [("Other", "Sildenafil: Drug information")],
        ),
        # Spelling variants of one document read alike.
        (
            "Decision based on Non-MTUS Citation ACOEM Practice Guidelines, 3rd Edition, "
            "Low back disorders, page 607.",
            [("ACOEM", "Low Back Disorders")],
        ),
        (
            "Decision based on Non-MTUS Citation ACOEM Occupational Medicine Practice "
            "Guidelines, 2nd Edition (2004), page 3.",
            [("ACOEM", "ACOEM Practice Guidelines")],
        ),
        # The paths that return early (no "Decision based on" sentence) are spelled too.
        (
            "ACOEM Practice Guidelines, 3rd Edition, low back disorders",
            [("ACOEM", "Low Back Disorders")],
        ),
    ],
)
def test_the_parser_writes_documents_in_their_spelling(basis, expected):
    assert [(c["source"], c["document"]) for c in parse_citations(basis)] == expected


def test_two_spellings_of_one_citation_in_a_basis_are_one_citation():
    basis = (
        "Decision based on Non-MTUS Citation ACOEM, Low Back Disorders. Decision based on "
        "Non-MTUS Citation ACOEM, low back disorders."
    )
    assert [(c["source"], c["document"]) for c in parse_citations(basis)] == [
        ("ACOEM", "Low Back Disorders")
    ]
