"""How images are offered to front ends: alt text and a rendition per size."""

# Sizes offered to front ends for every image (Wagtail rendition filter specs).
RENDITIONS = {
    "thumbnail": "fill-400x300|format-webp",
    "medium": "max-800x800|format-webp",
    "large": "max-1600x1200|format-webp",
}


def image_data(image, alt=""):
    """An image as the API gives it: alt text and a rendition per size in ``RENDITIONS``."""
    if image is None:
        return None
    renditions = image.get_renditions(*RENDITIONS.values())
    return {
        "id": image.pk,
        "alt": alt or image.default_alt_text,
        "width": image.width,
        "height": image.height,
        "renditions": {
            name: {"url": renditions[spec].full_url, "width": renditions[spec].width, "height": renditions[spec].height}
            for name, spec in RENDITIONS.items()
        },
    }
