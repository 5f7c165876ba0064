"""Wrong implementations of the 05-cnn functions that the suite must catch (see autograder.mutants).

Every mutant is graded through the real engine, so each one trains the three models in the sandbox:
the catalogue keeps to the mistakes that matter (about 10 s each on 2 cores).
"""

from autograder.mutants import Mutant

MUTANTS = [
    Mutant(
        name='conv1_wrong_filters',
        function='build_cnn_model',
        mistake='the first convolution has 16 filters instead of 12',
        hint_keyword='filters',
        source='''
def build_cnn_model():
    import keras
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(16, (3, 3), strides=1, padding="same", activation="relu"),
        layers.Conv2D(24, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Conv2D(32, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(200, activation="relu"),
        layers.Dropout(0.25),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    ),
    Mutant(
        name='conv2_wrong_kernel',
        function='build_cnn_model',
        mistake='the second convolution has a 5x5 kernel instead of 6x6',
        hint_keyword='kernel',
        source='''
def build_cnn_model():
    import keras
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(12, (3, 3), strides=1, padding="same", activation="relu"),
        layers.Conv2D(24, (5, 5), strides=2, padding="same", activation="relu"),
        layers.Conv2D(32, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(200, activation="relu"),
        layers.Dropout(0.25),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    ),
    Mutant(
        name='conv3_stride_1',
        function='build_cnn_model',
        mistake='the third convolution keeps stride 1 (maps stay 14x14)',
        hint_keyword='stride',
        source='''
def build_cnn_model():
    import keras
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(12, (3, 3), strides=1, padding="same", activation="relu"),
        layers.Conv2D(24, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Conv2D(32, (6, 6), strides=1, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(200, activation="relu"),
        layers.Dropout(0.25),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    ),
    Mutant(
        name='conv_valid_padding',
        function='build_cnn_model',
        mistake="the convolutions use Keras' default 'valid' padding",
        hint_keyword='padding',
        source='''
def build_cnn_model():
    import keras
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(12, (3, 3), strides=1, padding="valid", activation="relu"),
        layers.Conv2D(24, (6, 6), strides=2, padding="valid", activation="relu"),
        layers.Conv2D(32, (6, 6), strides=2, padding="valid", activation="relu"),
        layers.Flatten(),
        layers.Dense(200, activation="relu"),
        layers.Dropout(0.25),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    ),
    Mutant(
        name='conv_sigmoid',
        function='build_cnn_model',
        mistake='the convolutions use sigmoid instead of relu',
        hint_keyword='relu',
        source='''
def build_cnn_model():
    import keras
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(12, (3, 3), strides=1, padding="same", activation="sigmoid"),
        layers.Conv2D(24, (6, 6), strides=2, padding="same", activation="sigmoid"),
        layers.Conv2D(32, (6, 6), strides=2, padding="same", activation="sigmoid"),
        layers.Flatten(),
        layers.Dense(200, activation="relu"),
        layers.Dropout(0.25),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    ),
    Mutant(
        name='cnn_no_dropout',
        function='build_cnn_model',
        mistake='the CNN has no Dropout layer',
        hint_keyword='dropout',
        source='''
def build_cnn_model():
    import keras
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(12, (3, 3), strides=1, padding="same", activation="relu"),
        layers.Conv2D(24, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Conv2D(32, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(200, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    ),
    Mutant(
        name='cnn_linear_output',
        function='build_cnn_model',
        mistake='the output layer has no softmax (linear outputs)',
        hint_keyword='softmax',
        source='''
def build_cnn_model():
    import keras
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(12, (3, 3), strides=1, padding="same", activation="relu"),
        layers.Conv2D(24, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Conv2D(32, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(200, activation="relu"),
        layers.Dropout(0.25),
        layers.Dense(10),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    ),
    Mutant(
        name='cnn_dense_100',
        function='build_cnn_model',
        mistake='the Dense layer has 100 units instead of 200',
        hint_keyword='200 units',
        source='''
def build_cnn_model():
    import keras
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(12, (3, 3), strides=1, padding="same", activation="relu"),
        layers.Conv2D(24, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Conv2D(32, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(100, activation="relu"),
        layers.Dropout(0.25),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    ),
    Mutant(
        name='cnn_uncompiled',
        function='build_cnn_model',
        mistake='the CNN is returned without model.compile',
        hint_keyword='compile',
        source='''
def build_cnn_model():
    import keras
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(12, (3, 3), strides=1, padding="same", activation="relu"),
        layers.Conv2D(24, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Conv2D(32, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(200, activation="relu"),
        layers.Dropout(0.25),
        layers.Dense(10, activation="softmax"),
    ])
    pass
    return model
''',
    ),
    Mutant(
        name='cnn_categorical_loss',
        function='build_cnn_model',
        mistake='compiled with categorical_crossentropy (wants one-hot labels) instead of the sparse version',
        hint_keyword='sparse',
        source='''
def build_cnn_model():
    import keras
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(12, (3, 3), strides=1, padding="same", activation="relu"),
        layers.Conv2D(24, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Conv2D(32, (6, 6), strides=2, padding="same", activation="relu"),
        layers.Flatten(),
        layers.Dense(200, activation="relu"),
        layers.Dropout(0.25),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    ),
    Mutant(
        name='deep_sigmoid',
        function='build_deep_model',
        mistake="the deep network's hidden layers use sigmoid instead of relu",
        hint_keyword='sigmoid',
        source='''
def build_deep_model():
    import keras
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Flatten(),
        layers.Dense(200, activation="sigmoid"),
        layers.Dropout(0.25),
        layers.Dense(100, activation="sigmoid"),
        layers.Dropout(0.25),
        layers.Dense(60, activation="sigmoid"),
        layers.Dropout(0.25),
        layers.Dense(30, activation="sigmoid"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    ),
    Mutant(
        name='deep_no_dropout',
        function='build_deep_model',
        mistake='the deep network has no dropout',
        hint_keyword='dropout',
        source='''
def build_deep_model():
    import keras
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Flatten(),
        layers.Dense(200, activation="relu"),
        layers.Dense(100, activation="relu"),
        layers.Dense(60, activation="relu"),
        layers.Dense(30, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    ),
    Mutant(
        name='dense_no_softmax',
        function='build_dense_model',
        mistake='the softmax layer has no softmax (linear outputs)',
        hint_keyword='softmax',
        source='''
def build_dense_model():
    import keras
    model = keras.Sequential([keras.Input(shape=(28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.005),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''',
    ),
    Mutant(
        name='train_ignores_epochs',
        function='train_model',
        mistake='train_model always trains one epoch, whatever epochs says',
        hint_keyword='epochs',
        source='''
def train_model(model, x, y, epochs, batch_size):
    import keras
    decay = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr * 0.6)
    return model.fit(x, y, epochs=1, batch_size=batch_size, callbacks=[decay], verbose=0)
''',
    ),
    Mutant(
        name='train_ignores_batch_size',
        function='train_model',
        mistake="train_model leaves batch_size at Keras' default of 32",
        hint_keyword='batch size',
        source='''
def train_model(model, x, y, epochs, batch_size):
    import keras
    decay = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch == 0 else lr * 0.6)
    return model.fit(x, y, epochs=epochs, batch_size=32, callbacks=[decay], verbose=0)
''',
    ),
    Mutant(
        name='train_memorizes_a_slice',
        function='train_model',
        mistake='train_model fits only the first 100 images, many times over: the model memorizes them',
        hint_keyword='memoriz',
        source='''
def train_model(model, x, y, epochs, batch_size):
    history = None
    for _ in range(epochs):  # 10 passes over the same 100 images per epoch: it learns them by heart
        history = model.fit(x[:100], y[:100], epochs=10, batch_size=batch_size, verbose=0)
    history.history["loss"] = history.history["loss"][-epochs:]
    return history
''',
    ),
]
