"""Proposal photos: cleaned of everything but the pixels, refused with a message when they are
not photos or too big, at most three, described in words, hidden by moderators, deleted with
the author's account."""

import io
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from katilim.extensions import db
from katilim.photos import services as photo_services
from katilim.photos.models import ProposalPhoto
from katilim.photos.services import Upload
from katilim.proposals.models import Proposal, ProposalStatus
from tests.factories import make_proposal, make_user
from tests.photos.images import encoded, jpeg_with_gps, png_bomb

FORM = {
    "title": "Kaldırımdaki çukurlar onarılsın lütfen",
    "summary": "Okul önündeki kaldırımda derin çukurlar var, çocuklar düşüyor.",
    "text": "Yahya Kaptan Mahallesi'ndeki okulun önündeki kaldırımda derin çukurlar var. "
    "Yağmurda su doluyor, çocuklar düşüyor. Onarılmasını öneriyoruz.",
    "district": "",
    "body": "ulasim",
    "language": "tr",
    "publish": "1",
}


def _form(**photos) -> dict:
    data = dict(FORM)
    for name, value in photos.items():
        data[name] = (io.BytesIO(value), f"{name}.jpg") if isinstance(value, bytes) else value
    return data


def _stored(app, photo: ProposalPhoto) -> tuple[Path, Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return root / photo.large_key[:2] / photo.large_key, root / photo.small_key[
        :2
    ] / photo.small_key


@pytest.fixture
def author(app, council):
    with app.app_context():
        user = make_user("Fotoğrafçı Fatma")
        db.session.commit()
        return user.id


def _photos(app) -> list[ProposalPhoto]:
    with app.app_context():
        photos = list(db.session.scalars(select(ProposalPhoto).order_by(ProposalPhoto.id)))
        db.session.expunge_all()
        return photos


def test_an_uploaded_jpeg_comes_back_without_its_gps_position(app, login, author):
    client = login(author)
    response = client.post(
        "/proposals/new",
        data=_form(
            photo_1=jpeg_with_gps(orientation=6),  # taken with the phone turned
            photo_alt_1="Okul kapısının önündeki çukur",
        ),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [photo] = _photos(app)
    large, small = _stored(app, photo)
    for path in (large, small):
        data = path.read_bytes()
        assert b"Telefon X200" not in data and b"secret comment" not in data
        with Image.open(path) as image:
            assert image.format == "JPEG"
            assert not image.getexif()  # no EXIF at all: no GPS, no camera model
            assert "exif" not in image.info and "icc_profile" not in image.info
            assert "comment" not in image.info
    # turned upright by its orientation before the EXIF went: 1200 × 800 lying on its side
    assert (photo.width, photo.height) == (800, 1200)
    assert max(photo.small_width, photo.small_height) == 400
    assert photo.alt_text == "Okul kapısının önündeki çukur"
    # the page shows it lazily, with its size and description
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert re.search(
        rf'<img src="/proposals/\d+/photos/{photo.id}/large.jpg" width="800" height="1200"'
        r' alt="Okul kapısının önündeki çukur" loading="lazy"',
        page,
    )


@pytest.mark.parametrize(
    ("fmt", "mode"),
    [("PNG", "RGB"), ("PNG", "RGBA"), ("WEBP", "RGB")],
    ids=["png", "png-alpha", "webp"],
)
def test_png_and_webp_are_taken_and_stored_as_jpeg(app, login, author, fmt, mode):
    response = login(author).post(
        "/proposals/new",
        data=_form(photo_1=encoded(fmt, mode=mode), photo_alt_1="Parkın girişi"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    [photo] = _photos(app)
    with Image.open(_stored(app, photo)[0]) as image:
        assert (image.format, image.size) == ("JPEG", (640, 480))


def test_heic_is_taken_where_the_library_reads_it(app, login, author):
    pillow_heif = pytest.importorskip("pillow_heif")
    out = io.BytesIO()
    pillow_heif.from_pillow(Image.new("RGB", (320, 240), (1, 2, 3))).save(out, quality=80)
    response = login(author).post(
        "/proposals/new",
        data=_form(photo_1=out.getvalue(), photo_alt_1="Durak"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert len(_photos(app)) == 1


def _truncated_jpeg() -> bytes:
    return jpeg_with_gps()[:3000]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"Bu bir fotograf degil, sadece metin.\n" * 20, "fotoğraf olarak okunamadı"),
        (_truncated_jpeg(), "fotoğraf olarak okunamadı"),
        (png_bomb(), "çok fazla piksel"),
        (b"GIF89a" + encoded("GIF")[6:], "JPEG, PNG, WebP ya da HEIC"),
    ],
    ids=["text-named-jpg", "truncated", "decompression-bomb", "gif"],
)
def test_files_that_are_not_usable_photos_are_refused_in_the_persons_language(
    app, login, author, content, message
):
    client = login(author)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "tr"
    response = client.post(
        "/proposals/new",
        data=_form(photo_1=content, photo_alt_1="Bir fotoğraf"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200  # the form again, not a 500
    page = response.get_data(as_text=True)
    assert message in page
    assert 'id="photo_1-error"' in page
    assert "fotoğraflarınızı yeniden seçin" in page  # chosen files are not kept: say so
    assert FORM["title"] in page  # the typed text is
    with app.app_context():
        assert db.session.scalar(select(Proposal)) is None  # nothing was published
    assert _photos(app) == []


def test_a_photo_over_the_byte_limit_is_refused(app, login, author, monkeypatch):
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 20_000)
    response = login(author).post(
        "/proposals/new",
        data=_form(photo_1=jpeg_with_gps(size=(1600, 1600)) + b"\0" * 20_000, photo_alt_1="Foto"),
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 413)
    assert _photos(app) == []


def test_a_request_too_large_for_three_photos_gets_the_413_page_explaining_it(
    app, login, author, monkeypatch
):
    monkeypatch.setitem(app.config, "PHOTO_MAX_BYTES", 1024 * 1024)
    big = b"\xff\xd8" + b"0" * (4 * 1024 * 1024)
    response = login(author).post(
        "/proposals/new",
        data=_form(photo_1=big, photo_alt_1="Foto"),
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "each may be at most 1 MB" in response.get_data(as_text=True)


def test_other_forms_keep_the_small_limit(app, login, author):
    response = login(author).post(
        "/me/profile", data={"x": "0" * (300 * 1024)}, content_type="multipart/form-data"
    )
    assert response.status_code == 413


def test_every_photo_needs_a_description(app, login, author):
    client = login(author)
    response = client.post(
        "/proposals/new",
        data=_form(photo_1=encoded("PNG"), photo_alt_1="  "),
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "Describe the photo in a few words" in response.get_data(as_text=True)
    assert _photos(app) == []


def _with_photos(app, how_many: int, **kw) -> tuple[int, int]:
    with app.app_context():
        proposal = make_proposal(**kw)
        prepared, errors = photo_services.prepare(
            [Upload(encoded("PNG"), f"Fotoğraf {i}", i) for i in range(1, how_many + 1)]
        )
        assert not errors
        photo_services.add_photos(proposal.author, proposal, prepared)
        db.session.commit()
        return proposal.id, proposal.author_id


def test_a_fourth_photo_is_refused(app, login, council):
    proposal_id, author_id = _with_photos(app, 3)
    client = login(author_id)
    page = client.get(f"/proposals/{proposal_id}/edit").get_data(as_text=True)
    assert 'name="photo_1"' not in page  # no free place left on the form
    data = _form(photo_1=encoded("PNG"), photo_alt_1="Dördüncü")
    data.pop("publish")
    data["save"] = "1"
    response = client.post(
        f"/proposals/{proposal_id}/edit", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    assert "A proposal can have at most 3 photos." in response.get_data(as_text=True)
    assert len(_photos(app)) == 3
    # the service says the same to any caller
    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        prepared, _ = photo_services.prepare([Upload(encoded("PNG"), "Dördüncü", 1)])
        with pytest.raises(photo_services.TooManyPhotos):
            photo_services.add_photos(proposal.author, proposal, prepared)


def test_the_author_removes_a_photo_when_editing_and_its_files_go(app, login, council):
    proposal_id, author_id = _with_photos(app, 2)
    first, second = _photos(app)
    data = dict(FORM, save="1", remove_photo=str(first.id))
    data.pop("publish")
    response = login(author_id).post(
        f"/proposals/{proposal_id}/edit", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    assert [p.id for p in _photos(app)] == [second.id]
    assert not any(path.exists() for path in _stored(app, first))
    assert all(path.exists() for path in _stored(app, second))


def test_photo_files_are_served_with_fixed_type_and_cache_headers(app, client, council):
    proposal_id, _ = _with_photos(app, 1)
    [photo] = _photos(app)
    response = client.get(f"/proposals/{proposal_id}/photos/{photo.id}/small.jpg")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    # through another proposal's address: nothing
    other_id, _ = _with_photos(app, 0)
    assert client.get(f"/proposals/{other_id}/photos/{photo.id}/small.jpg").status_code == 404
    assert client.get(f"/proposals/{proposal_id}/photos/{photo.id}/huge.jpg").status_code == 404


def test_a_shared_link_shows_the_large_photo(app, client, council):
    proposal_id, _ = _with_photos(app, 1)
    [photo] = _photos(app)
    page = client.get(f"/proposals/{proposal_id}").get_data(as_text=True)
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert (
        f'<meta property="og:image" content="http://localhost/proposals/{proposal_id}/photos/{photo.id}/large.jpg">'
        in page
    )
    listed = client.get("/proposals").get_data(as_text=True)
    assert f'src="/proposals/{proposal_id}/photos/{photo.id}/small.jpg"' in listed
    assert 'class="card-photo"' in listed and 'loading="lazy"' in listed


def test_account_deletion_removes_the_authors_photos_and_files(app, council):
    from katilim.auth.models import User
    from katilim.privacy.deletion import delete_account

    proposal_id, author_id = _with_photos(app, 2)
    draft_id, _ = _with_photos(app, 1, status=ProposalStatus.DRAFT)
    photos = _photos(app)
    with app.app_context():
        draft = db.session.get(Proposal, draft_id)
        draft.author_id = author_id  # the same person's draft
        db.session.commit()
        summary = delete_account(db.session.get(User, author_id))
        db.session.commit()
        assert summary.photos_deleted == 3
        assert db.session.get(Proposal, proposal_id) is not None  # the proposal stays
    assert _photos(app) == []
    for photo in photos:
        assert not any(path.exists() for path in _stored(app, photo))


def test_a_rolled_back_deletion_keeps_the_files(app, council):
    _with_photos(app, 1)
    [photo] = _photos(app)
    with app.app_context():
        photo_services.delete_photos_of_proposals([photo.proposal_id])
        db.session.rollback()
    assert all(path.exists() for path in _stored(app, photo))
    assert len(_photos(app)) == 1


def test_uploads_are_rate_limited(app, login, author, rate_limits, monkeypatch):
    monkeypatch.setitem(rate_limits, "photo_upload", "1 per hour")
    client = login(author)
    first = client.post(
        "/proposals/new",
        data=_form(photo_1=encoded("PNG"), photo_alt_1="Bir"),
        content_type="multipart/form-data",
    )
    assert first.status_code == 302
    second = client.post(
        "/proposals/new",
        data=_form(photo_1=encoded("PNG"), photo_alt_1="İki"),
        content_type="multipart/form-data",
    )
    assert second.status_code == 429
    # a proposal without photos is not counted against the photo allowance
    third = client.post(
        "/proposals/new", data=_form(similar_seen="1"), content_type="multipart/form-data"
    )
    assert third.status_code == 302


def test_the_personal_data_export_lists_the_authors_photos(app, council):
    from katilim.auth.models import User
    from katilim.privacy.export import personal_data

    proposal_id, author_id = _with_photos(app, 1)
    [photo] = _photos(app)
    with app.app_context(), app.test_request_context():
        exported = personal_data(db.session.get(User, author_id))
    [entry] = exported["proposals"][0]["photos"]
    assert entry["alt_text"] == "Fotoğraf 1"
    assert entry["url"] == f"http://localhost/proposals/{proposal_id}/photos/{photo.id}/large.jpg"
