"""Valid implementations of 05-cnn, written from the released notebook's text alone (see autograder.alternatives).

Each one trains the three models in the sandbox when graded (tens of seconds each on 2 cores).
"""

from autograder.alternatives import Alternative

ALTERNATIVES = [
    Alternative(
        name="functional_api",
        style="the functional API (keras.Model(inputs, outputs)); the schedule as a named function of the epoch",
        source='''
def build_dense_model():
    import keras

    inputs = keras.Input(shape=(28, 28, 1))
    outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(inputs))
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_deep_model():
    import keras

    inputs = keras.Input(shape=(28, 28, 1))
    a = keras.layers.Flatten()(inputs)
    for units in (200, 100, 60):
        a = keras.layers.Dense(units, activation="relu")(a)
        a = keras.layers.Dropout(0.25)(a)
    a = keras.layers.Dense(30, activation="relu")(a)
    outputs = keras.layers.Dense(10, activation="softmax")(a)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_cnn_model():
    import keras

    inputs = keras.Input(shape=(28, 28, 1))
    a = keras.layers.Conv2D(12, 3, strides=1, padding="same", activation="relu")(inputs)
    a = keras.layers.Conv2D(24, 6, strides=2, padding="same", activation="relu")(a)
    a = keras.layers.Conv2D(32, 6, strides=2, padding="same", activation="relu")(a)
    a = keras.layers.Flatten()(a)
    a = keras.layers.Dense(200, activation="relu")(a)
    a = keras.layers.Dropout(0.25)(a)
    outputs = keras.layers.Dense(10, activation="softmax")(a)
    model = keras.Model(inputs, outputs, name="lecture_cnn")
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train_model(model, x, y, epochs, batch_size):
    import keras

    def schedule(epoch, lr):
        return lr if epoch == 0 else lr * 0.6

    return model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0,
                     callbacks=[keras.callbacks.LearningRateScheduler(schedule)])
''',
    ),
    Alternative(
        name="tf_keras_spellings",
        style="tf.keras names, tuple kernel sizes and strides, (28, 28) input for the softmax layer, "
        "keyword arguments to fit, a schedule computed from the epoch number",
        source='''
def build_dense_model():
    import tensorflow as tf

    model = tf.keras.Sequential([
        tf.keras.Input(shape=(28, 28)),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(units=10, activation=tf.keras.activations.softmax),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(0.005),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_deep_model():
    import tensorflow as tf

    L = tf.keras.layers
    model = tf.keras.models.Sequential([
        tf.keras.Input(shape=(28, 28, 1)),
        L.Flatten(),
        L.Dense(200, activation="relu"), L.Dropout(rate=0.25),
        L.Dense(100, activation="relu"), L.Dropout(rate=0.25),
        L.Dense(60, activation="relu"), L.Dropout(rate=0.25),
        L.Dense(30, activation="relu"),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_cnn_model():
    import tensorflow as tf

    L = tf.keras.layers
    model = tf.keras.models.Sequential([
        tf.keras.Input(shape=(28, 28, 1)),
        L.Conv2D(filters=12, kernel_size=(3, 3), strides=(1, 1), padding="same", activation="relu"),
        L.Conv2D(filters=24, kernel_size=(6, 6), strides=(2, 2), padding="same", activation="relu"),
        L.Conv2D(filters=32, kernel_size=(6, 6), strides=(2, 2), padding="same", activation="relu"),
        L.Flatten(),
        L.Dense(200, activation="relu"),
        L.Dropout(0.25),
        L.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train_model(model, x, y, epochs, batch_size):
    import tensorflow as tf

    start = {}

    def schedule(epoch, lr):
        start.setdefault("lr", lr)  # the learning rate the model was compiled with
        return float(start["lr"] * 0.6 ** epoch)

    history = model.fit(x=x, y=y, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0,
                        callbacks=[tf.keras.callbacks.LearningRateScheduler(schedule)])
    return history
''',
    ),
    Alternative(
        name="sequential_add_loss_objects",
        style="Sequential().add(...) one layer at a time, a loss object instead of its name, "
        "the softmax as an activation object, Nadam instead of Adam, an exponential schedule",
        source='''
def _compile(model, lr):
    import keras

    model.compile(optimizer=keras.optimizers.Nadam(learning_rate=lr),
                  loss=keras.losses.SparseCategoricalCrossentropy(), metrics=["accuracy"])
    return model


def build_dense_model():
    import keras

    model = keras.Sequential()
    model.add(keras.Input(shape=(28, 28, 1)))
    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dense(10, activation=keras.activations.softmax))
    return _compile(model, 0.005)


def build_deep_model():
    import keras

    model = keras.Sequential()
    model.add(keras.Input(shape=(28, 28, 1)))
    model.add(keras.layers.Flatten())
    for k, units in enumerate([200, 100, 60, 30]):
        model.add(keras.layers.Dense(units, activation="relu"))
        if k < 3:
            model.add(keras.layers.Dropout(0.25))
    model.add(keras.layers.Dense(10, activation="softmax"))
    return _compile(model, 0.003)


def build_cnn_model():
    import keras

    model = keras.Sequential()
    model.add(keras.Input(shape=(28, 28, 1)))
    for filters, size, stride in [(12, 3, 1), (24, 6, 2), (32, 6, 2)]:
        model.add(keras.layers.Conv2D(filters, (size, size), strides=stride, padding="same", activation="relu"))
    model.add(keras.layers.Flatten())
    model.add(keras.layers.Dense(200, activation="relu"))
    model.add(keras.layers.Dropout(0.25))
    model.add(keras.layers.Dense(10, activation="softmax"))
    return _compile(model, 0.003)


def train_model(model, x, y, epochs, batch_size):
    import math

    import keras

    decay = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * math.exp(-0.5) if epoch else lr)
    return model.fit(x, y, epochs=epochs, batch_size=batch_size, callbacks=[decay], verbose=0)
''',
    ),
    Alternative(
        name="optimizer_schedule_no_callback",
        style="the learning-rate decay inside the optimizer (keras.optimizers.schedules.ExponentialDecay), "
        "RMSprop for the softmax layer, and a train_model without callbacks",
        source='''
def build_dense_model():
    import keras

    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.002),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _decaying_adam(lr):
    import keras

    schedule = keras.optimizers.schedules.ExponentialDecay(lr, decay_steps=100, decay_rate=0.7)
    return keras.optimizers.Adam(learning_rate=schedule)


def build_deep_model():
    import keras

    layers = [keras.Input(shape=(28, 28, 1)), keras.layers.Flatten()]
    for units in (200, 100, 60):
        layers += [keras.layers.Dense(units, activation="relu"), keras.layers.Dropout(0.25)]
    layers += [keras.layers.Dense(30, activation="relu"), keras.layers.Dense(10, activation="softmax")]
    model = keras.Sequential(layers)
    model.compile(optimizer=_decaying_adam(0.003), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def build_cnn_model():
    import keras

    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        keras.layers.Conv2D(12, 3, padding="same", activation="relu", strides=1),
        keras.layers.Conv2D(24, 6, padding="same", activation="relu", strides=2),
        keras.layers.Conv2D(32, 6, padding="same", activation="relu", strides=2),
        keras.layers.Flatten(),
        keras.layers.Dense(200, activation="relu"),
        keras.layers.Dropout(0.25),
        keras.layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=_decaying_adam(0.003), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def train_model(model, x, y, epochs, batch_size):
    return model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0)
''',
    ),
]
