"""The künye page, the privacy notice's new sections, and the links to them."""

from katilim.extensions import db
from tests.factories import make_user


def html(response) -> str:
    return response.get_data(as_text=True)


def test_kunye_names_the_council_from_its_data_and_the_hosting_provider_from_settings(
    client, app, other_council
):
    settings = {
        "HOSTING_PROVIDER_NAME": "Örnek Barındırma A.Ş.",
        "HOSTING_PROVIDER_ADDRESS": "Teknopark, Örnekkent",
    }
    saved = {k: app.config[k] for k in settings}
    app.config.update(settings)
    try:
        page = html(client.get("/kunye"))
    finally:
        app.config.update(saved)
    for value in (
        "Örnekkent Kent Konseyi Derneği",  # its legal name, from tests/data/ornekkent.yaml
        "Cumhuriyet Mah. Meydan Sok. 1, Merkez, Örnekkent",
        "bilgi@ornekkent.example",
        "+90 222 000 00 00",
        "kvkk@ornekkent.example",
        *settings.values(),
    ):
        assert value in page
    assert 'href="tel:+902220000000"' in page


def test_kunye_defaults_to_the_council_hosting_itself(client, council):
    page = html(client.get("/kunye"))
    assert page.count("Kocaeli Kent Konseyi") >= 2
    assert "Hosting provider" in page


def test_footer_links_the_kunye(client, council):
    assert 'href="/kunye"' in html(client.get("/"))


def test_privacy_notice_links_rights_and_states_periods(client, council):
    page = html(client.get("/privacy"))
    for link in ("/me/consents", "/me/data", "/me/delete", "/kunye"):
        assert f'href="{link}"' in page
    assert "deleted after 730 days" in page  # traffic records
    assert "deleted after 30 days" in page  # unconfirmed accounts
    assert "Page views are recorded the same way" in page


def test_account_page_links_the_privacy_pages(login, app, council):
    with app.app_context():
        user_id = make_user().id
        db.session.commit()
    page = html(login(user_id).get("/me"))
    for link in ("/me/consents", "/me/data", "/me/delete"):
        assert f'href="{link}"' in page


def test_turkish_pages_render(client, login, app, council):
    client.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    assert client.get("/kunye").status_code == 200
    with app.app_context():
        user_id = make_user().id
        db.session.commit()
    signed_in = login(user_id)
    signed_in.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    for url in ("/me/consents", "/me/delete"):
        assert signed_in.get(url).status_code == 200
