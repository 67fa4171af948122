"""The photo upload form: the file is checked here (photos.check_image), alt text is required."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import photos

# "IMG_1234.jpg", "photo.png", "DSC0001": a file name says nothing to someone who cannot see it.
_FILE_NAME = re.compile(
    r"^\s*[\w\- ]*\.(jpe?g|png|webp|heic|gif)\s*$|^\s*(img|dsc|pxl)[_\-]?\d+", re.I
)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("A JPEG, PNG or WebP photo of up to 10 MB. It is cropped to a square."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt = forms.CharField(
        label=_("Describe the photo"),
        max_length=200,
        help_text=_(
            "Read aloud to people who use screen readers in place of the photo. Describe the "
            "photo, e.g. 'Maria smiling in her office'."
        ),
        error_messages={
            "required": _(
                "Please describe the photo in a few words, e.g. 'Maria smiling in her office'. "
                "If you chose a file, please choose it again too."
            )
        },
    )

    def __init__(self, *args: Any, has_photo: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_photo = has_photo
        self.data_bytes: bytes | None = None

    def clean_photo(self) -> Any:
        upload = self.cleaned_data.get("photo")
        if not upload:
            if not self.has_photo:
                raise forms.ValidationError(_("Please choose a photo to upload."))
            return None
        try:
            photos.check_image(photos.read_upload(upload))
        except photos.PhotoRefused as refused:
            raise forms.ValidationError(refused.message) from refused
        return upload

    def clean_alt(self) -> str:
        alt = self.cleaned_data["alt"].strip()
        if len(alt) < 3 or _FILE_NAME.search(alt):
            raise forms.ValidationError(
                _("Please describe what the photo shows, e.g. 'Maria smiling in her office'.")
            )
        return alt
