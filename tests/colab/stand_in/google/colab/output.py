"""Stand-in for `google.colab.output`."""

custom_widget_manager_enabled = False


def enable_custom_widget_manager():
    global custom_widget_manager_enabled
    custom_widget_manager_enabled = True


def disable_custom_widget_manager():
    global custom_widget_manager_enabled
    custom_widget_manager_enabled = False


def eval_js(script, ignore_result=False, timeout_sec=None):
    raise RuntimeError("The Colab-like test has no browser: eval_js cannot run here.")
