"""
A post whose transaction rolls back leaves no image file behind (issue 19, item 10: "a failed upload
leaves no file behind"). The database error is injected after the image file was written: while its
row is saved, or later in the same transaction (the thread's update after a reply); and a disk that
fills half-way through the write leaves no partial file.
"""

import errno
import io
from pathlib import Path
from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from PIL import Image

from moderation import services
from moderation.models import Post, PostImage, Thread

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


def photo():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 120, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile("matsuri.png", buffer.getvalue(), content_type="image/png")


def files_in(folder):
    return [path for path in Path(folder).rglob("*") if path.is_file()]


def test_a_stored_post_keeps_its_image(media, member, board, policy):
    post = services.create_thread(member, board, "夏祭り", "大久保の夏祭りの写真です。", files=[photo()])
    assert len(files_in(media)) == 1 and post.images.count() == 1


def test_a_database_error_after_the_image_is_written_leaves_no_file(media, member, board, policy):
    real_save = PostImage.save

    def fail_after_the_file(self, *args, **kwargs):
        assert self.file.name and files_in(media), "the file is written before its row"
        raise DatabaseError("disk full")

    with mock.patch.object(PostImage, "save", fail_after_the_file), pytest.raises(DatabaseError):
        services.create_thread(member, board, "夏祭り", "大久保の夏祭りの写真です。", files=[photo()])
    assert PostImage.save is real_save
    assert files_in(media) == [], "no orphan image file"
    assert not Thread.objects.filter(title="夏祭り").exists() and not Post.objects.filter(author=member).exists()


def test_a_failure_later_in_the_transaction_removes_the_reply_images(media, member, board, policy):
    opening = services.create_thread(member, board, "夏祭り", "大久保の夏祭りです。")
    with mock.patch.object(Thread.objects, "filter", side_effect=DatabaseError("connection lost")), \
            pytest.raises(DatabaseError):
        services.reply(member, opening.thread, "写真を追加します。", files=[photo()])
    assert files_in(media) == [], "no orphan image file"
    assert Post.objects.filter(thread=opening.thread).count() == 1


def test_a_disk_that_fills_during_the_write_leaves_no_partial_file(media, member, board, policy):
    def fills_half_way(self, name, content):
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read()[:10])
        raise OSError(errno.ENOSPC, "No space left on device")

    with mock.patch.object(FileSystemStorage, "_save", fills_half_way), pytest.raises(OSError):
        services.create_thread(member, board, "夏祭り", "大久保の夏祭りの写真です。", files=[photo()])
    assert files_in(media) == [], "no partial file"
    assert not Thread.objects.filter(title="夏祭り").exists()
