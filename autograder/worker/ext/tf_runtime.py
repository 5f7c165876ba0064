"""TensorFlow and Keras in the worker, imported once per process with the thread pools pinned first.

Shared by the kit helpers that train Keras models (keras_tools, lstm_tools): whichever runs first
pins the threads; ``STATE`` then records the device and the threading used, for the results.
"""

from __future__ import annotations

import os
from typing import Any

STATE: dict[str, Any] = {}


def load(threads: int):
    """Import TensorFlow and Keras, pinning the thread pools (and GPU memory growth) on the first call."""
    if "keras" in STATE:
        return STATE["tf"], STATE["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(int(threads))
        tf.config.threading.set_inter_op_parallelism_threads(int(threads))
        pinned = f"{int(threads)} threads"
    except RuntimeError:  # the notebook's own code already started TensorFlow
        pinned = "threads not pinned (TensorFlow was already running when grading started)"
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:
            pass
    if gpus:
        try:
            name = tf.config.experimental.get_device_details(gpus[0]).get("device_name", gpus[0].name)
        except Exception:  # details are optional
            name = gpus[0].name
        device = f"GPU ({name})"
    else:
        device = f"CPU ({pinned})"
    import keras

    STATE.update(tf=tf, keras=keras, device=device, threads=pinned)
    return tf, keras
