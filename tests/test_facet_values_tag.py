"""The facet values' checkboxes (``determinations/templatetags/facet_values.py``)."""

from determinations.facets import FacetValue
from determinations.templatetags.facet_values import facet_values


def test_a_value_renders_as_its_checkbox_with_every_part_escaped():
    html = facet_values(
        "service",
        [
            FacetValue('<b>"x"</b>&', 1234, True),
            FacetValue("plain", 5, False, label="Plain <i>", interval=(3, 8)),
        ],
    )
    assert html == (
        '<li><label><input type="checkbox" name="service" value="&lt;b&gt;&quot;x&quot;'
        '&lt;/b&gt;&amp;" checked><span class="facet-label">&lt;b&gt;&quot;x&quot;&lt;/b&gt;'
        '&amp;</span><span class="count">1,234</span></label></li>'
        '<li title="Estimated from a fixed sample of the letters; 95% interval 3\u20138">'
        '<label><input type="checkbox" name="service" value="plain"><span class="facet-label">'
        'Plain &lt;i&gt;</span><span class="count">~5</span></label></li>'
    )


def test_no_values_render_nothing():
    assert facet_values("year", []) == ""
