"""Evidence: photos, files and drawn signatures, checked, kept by hash, covered by the seal."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from kit.door import Door, Identity
from kit.errors import ValidationError
from kit.evidence import MAX_BYTES, prepare
from kit.interchange import export_json, export_workbook, import_json
from kit.record import Inspection
from kit.session import Session
from kit.store import Store
from kit.workbook import verify_workbook


def jpeg(width: int = 1200, height: int = 900, *, orientation: int | None = None) -> bytes:
    picture = Image.new("RGB", (width, height), (200, 30, 30))
    out = io.BytesIO()
    exif = Image.Exif()
    if orientation is not None:
        exif[0x0112] = orientation
    picture.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png(width: int = 600, height: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def store(any_store_url: str) -> Iterator[Store]:
    with Store(any_store_url) as s:
        yield s


# -- checking what was uploaded ------------------------------------------------------------
def test_a_photo_is_turned_upright_stripped_of_exif_and_thumbnailed() -> None:
    sideways = jpeg(1200, 900, orientation=6)  # the camera was held on its side
    ready = prepare("IMG_0001.JPG", sideways)
    assert (ready.kind, ready.mime, ready.width, ready.height) == ("photo", "image/jpeg", 900,
                                                                   1200)
    kept = Image.open(io.BytesIO(ready.data))
    assert kept.size == (900, 1200)
    assert 0x0112 not in kept.getexif()  # no orientation (nor location) left in it
    thumb = Image.open(io.BytesIO(ready.thumb or b""))
    assert max(thumb.size) == 480


@pytest.mark.parametrize(("name", "data", "code", "words"), [
    ("空.jpg", b"", "evidence.empty", "文件为空"),
    ("大.jpg", b"\xff\xd8\xff" + b"0" * MAX_BYTES, "evidence.too_big", "超过上限"),
    ("伪装.jpg", b"GIF89a" + b"0" * 100, "evidence.kind", "按文件内容判断"),
    ("坏.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 50, "evidence.damaged", "已损坏"),
    ("x.exe", b"MZ\x90\x00", "evidence.kind", "只接受"),
])
def test_a_bad_upload_is_named_and_explained(name: str, data: bytes, code: str,
                                              words: str) -> None:
    with pytest.raises(ValidationError) as err:
        prepare(name, data)
    (problem,) = err.value.problems
    assert (problem.code, problem.file) == (code, name)
    assert words in problem.message
    assert problem.message.startswith(name)


def test_a_decompression_bomb_is_refused_before_it_opens() -> None:
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # a few kB that open into 144 Mpx
    assert len(out.getvalue()) < 200_000
    with pytest.raises(ValidationError) as err:
        prepare("bomb.png", out.getvalue())
    assert err.value.problems[0].code == "evidence.too_big"
    assert "百万像素" in err.value.problems[0].message


def test_a_pdf_is_kept_as_it_is_and_a_signature_must_be_a_png() -> None:
    pdf = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    ready = prepare("检验报告.pdf", pdf)
    assert (ready.kind, ready.mime, ready.data, ready.thumb) == ("file", "application/pdf", pdf,
                                                                None)
    assert prepare("签名.png", png(), signature=True).kind == "signature"
    with pytest.raises(ValidationError):
        prepare("签名.jpg", jpeg(), signature=True)


# -- kept by hash, in the trail ------------------------------------------------------------
def test_attaching_keeps_the_bytes_once_and_the_hash_in_the_trail(store: Store,
                                                                  demo: Inspection) -> None:
    s = Session.create(Door(store, Identity("李华")), replace(demo, id="ev1", attachments={}))
    photo = jpeg()
    key = s.attach("results/7.5.m4", "现场.jpg", photo)
    again = s.attach("findings/F2", "现场.jpg", photo)  # the same photo on the finding
    a, b = s.inspection.attachments[key], s.inspection.attachments[again]
    assert (key, again) == ("A1", "A2")
    assert a.sha256 == b.sha256 == hashlib.sha256(store.blob(a.sha256)[1]).hexdigest()
    assert (a.by, a.target, a.kind) == ("李华", "results/7.5.m4", "photo")
    assert store.audit("ev1", "attachments/A1")[-1].user == "李华"
    assert store.verify("ev1") == []
    for target in ("findings/F9", "results/", "signatures/nobody", "elsewhere/x"):
        with pytest.raises(ValidationError) as err:
            s.attach(target, "x.jpg", photo)
        assert err.value.problems[0].code == "evidence.target"
    with pytest.raises(ValidationError):
        s.attach("results/7.5.m4", "签名.png", png(), signature=True)  # a signature has a signer
    s.attach("signatures/company", "签名.png", png(), signature=True)


def test_evidence_cannot_be_changed_in_the_database_or_without_verify_seeing_it(
        tmp_path: Path, demo: Inspection) -> None:
    with Store(data_dir=tmp_path) as store:
        s = Session.create(Door(store, Identity("张明")), replace(demo, id="ev2", attachments={}))
        s.attach("results/7.5.m4", "现场.jpg", jpeg())
        digest = s.inspection.attachments["A1"].sha256
    db = sqlite3.connect(tmp_path / "kit.sqlite")
    with pytest.raises(sqlite3.DatabaseError, match="evidence once kept"):
        db.execute("UPDATE blobs SET data = x'00' WHERE sha256 = ?", (digest,))
    with pytest.raises(sqlite3.DatabaseError, match="evidence once kept"):
        db.execute("DELETE FROM blobs")
    db.execute("DROP TRIGGER blobs_no_update")  # someone with the database file
    db.execute("UPDATE blobs SET data = x'00' WHERE sha256 = ?", (digest,))
    db.commit()
    db.close()
    with Store(data_dir=tmp_path) as store:
        codes = {p.code for p in store.verify("ev2")}
    assert {"store.evidence_changed", "store.protection_missing"} <= codes


# -- carried by an export, covered by the seal --------------------------------------------
def test_a_json_export_carries_its_evidence_and_an_import_checks_it(tmp_path: Path,
                                                                    demo: Inspection) -> None:
    with Store(data_dir=tmp_path / "a") as store:
        s = Session.create(Door(store, Identity("张明")), replace(demo, id="ev3", attachments={}))
        s.attach("results/7.5.m4", "现场.jpg", jpeg())
        out = export_json(Door(store), "ev3", tmp_path / "ev3.json")
    doc = json.loads(out.read_text("utf-8"))
    assert len(doc["evidence"]) == 2  # the photo and its thumbnail
    with Store(data_dir=tmp_path / "b") as other:
        assert import_json(Door(other, Identity("李华")), out) == "ev3"
        assert other.verify("ev3") == []  # the bytes came along
    first = next(iter(doc["evidence"]))
    doc["evidence"][first]["base64"] = doc["evidence"][first]["base64"][:-8] + "AAAAAAA="
    out.write_text(json.dumps(doc), "utf-8")
    with Store(data_dir=tmp_path / "c") as third, pytest.raises(ValidationError) as err:
        import_json(Door(third, Identity("李华")), out)
    assert err.value.problems[0].code == "json.evidence"


def test_the_workbook_shows_each_picture_and_verify_knows_a_swapped_one(
        tmp_path: Path, demo: Inspection) -> None:
    from openpyxl import load_workbook

    with Store(data_dir=tmp_path) as store:
        import_json(Door(store, Identity("张明")), Path(__file__).parents[2] / "sample_data" / "demo_inspection.json")
        book = export_workbook(Door(store), demo.id, tmp_path / "demo.xlsx")
    ws = load_workbook(book)["证据材料"]
    listed = [row[:3] for row in ws.iter_rows(min_row=5, values_only=True) if row[0]]
    assert ("A1", "照片", "七、5.检查方法（4）") in listed
    assert ("A2", "手写签名", "企业签字人 陈示例") in listed
    with zipfile.ZipFile(book) as archive:
        media = [n for n in archive.namelist() if n.startswith("xl/media/")]
    assert len(media) == 4  # the photo's thumbnail and three signatures
    assert verify_workbook(book).intact
    swapped = tmp_path / "swapped.xlsx"
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(swapped, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == media[0]:
                data = jpeg(480, 360)
            dst.writestr(item, data)
    result = verify_workbook(swapped)
    assert not result.intact
    assert [p.code for p in result.problems] == ["workbook.picture_changed"]
