"""The accessibility statement: the standard, what is tested, and how to report a barrier."""


def test_statement_names_the_standard_tests_limits_and_contact(client, council):
    page = client.get("/accessibility").get_data(as_text=True)
    assert "WCAG" in page and "2.2" in page and "AA" in page
    assert "2025/10" in page
    assert "axe-core" in page and "360" in page and "1280" in page
    assert "Arabic" in page and "Kurmanji" in page
    assert '<a href="https://www.kocaelikentkonseyi.org">' in page
    assert "30 days" in page


def test_every_page_links_to_the_statement_in_its_footer(client, council):
    for url in ("/", "/proposals", "/privacy"):
        footer = client.get(url).get_data(as_text=True).split('<footer class="site-footer">', 1)[1]
        assert 'href="/accessibility"' in footer
