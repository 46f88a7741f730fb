"""Media in and out of the notebooks: files a learner uploads, pictures and folders to look at.

Examples
--------
>>> from workshop_lib.media import UploadBox, preview
>>> uploads = UploadBox()  # a button; files go into the folder uploads/
>>> photo = uploads.latest_or("sample.jpg")  # the upload, or the sample when nothing came
Nothing uploaded yet, so we use the sample file 'sample.jpg'.
"""

from .images import LoadedImage, is_greyscale, load_image, open_image, side_by_side
from .upload import UploadBox, preview, show_folder, uploaded_files

__all__ = ["UploadBox", "preview", "show_folder", "uploaded_files"]
__all__ += ["LoadedImage", "is_greyscale", "load_image", "open_image", "side_by_side"]
