"""Caption templates for mini-CLIP: which wordings describe which dataset."""

# CLIP's 7-template ImageNet ensemble, adapted to small grayscale images. Used for the ensemble metric
# and listed in config.json as `ensemble_templates`; all of them are also training templates.
ENSEMBLE_TEMPLATES = [
    "itap of a {c}.",
    "a bad photo of the {c}.",
    "a photo of the large {c}.",
    "a photo of the small {c}.",
    "art of the {c}.",
    "a blurry photo of the {c}.",
    "a low resolution photo of a {c}.",
]

SINGLE_TEMPLATE = "a photo of a {c}."

GENERIC_TEMPLATES = ENSEMBLE_TEMPLATES + [
    SINGLE_TEMPLATE,
    "a drawing of a {c}.",
    "an image of a {c}.",
    "a black and white photo of the {c}.",
    "a cropped photo of a {c}.",
]

MNIST_TEMPLATES = [
    "a handwritten {c}.",
    "an image of the number {c}.",
    "a photo of the digit {c}.",
    "the number {c}, written by hand.",
]

FASHION_TEMPLATES = [
    "a picture of a {c}, a type of clothing.",
    "a product photo of a {c}.",
    "a photo of a {c}, an item of clothing.",
]

TEMPLATES_BY_DATASET = {
    "mnist": GENERIC_TEMPLATES + MNIST_TEMPLATES,
    "fashion_mnist": GENERIC_TEMPLATES + FASHION_TEMPLATES,
}


def all_templates():
    return GENERIC_TEMPLATES + MNIST_TEMPLATES + FASHION_TEMPLATES
