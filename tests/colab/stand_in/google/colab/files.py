"""Stand-in for `google.colab.files`: no browser here, so nothing is uploaded or downloaded."""


def upload(target_dir=""):
    return {}


def download(filename):
    return None
