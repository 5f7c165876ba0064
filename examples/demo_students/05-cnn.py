"""Demo students of 05-cnn: who they are and how they filled in the notebook."""

from make_demo_class import Student

# Carol: her own idea of a CNN (5x5 kernels, Keras' default 'valid' padding, a max-pooling layer, no dropout),
# and a deep network with sigmoid activations. Her models train, but they are not the assignment's.
CAROL_CNN = '''
def build_cnn_model():
    """My CNN: 5x5 convolutions and a pooling layer."""
    import keras

    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(12, (5, 5), activation="relu"),
        layers.Conv2D(24, (5, 5), strides=2, activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(32, (3, 3), activation="relu"),
        layers.Flatten(),
        layers.Dense(200, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
'''

CAROL_DEEP = '''
def build_deep_model():
    """Five layers with sigmoid activations."""
    import keras

    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Flatten(),
        layers.Dense(200, activation="sigmoid"),
        layers.Dense(100, activation="sigmoid"),
        layers.Dense(60, activation="sigmoid"),
        layers.Dense(30, activation="sigmoid"),
        layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.003),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
'''

# Dave: the right architectures, but a train_model that makes sure the model "knows" its training images: it
# drills the first 100 of them until the loss is near zero. The models memorize those and fail on new digits.
DAVE_TRAIN = '''
def train_model(model, x, y, epochs, batch_size):
    """Learn the training images by heart: many passes over a small, fixed set."""
    history = None
    for _ in range(epochs):
        history = model.fit(x[:100], y[:100], epochs=10, batch_size=batch_size, verbose=0)
    history.history["loss"] = history.history["loss"][-epochs:]
    return history
'''

STUDENTS = {
    "alice": Student("the reference solution"),
    "bob": Student("the untouched stub", default="stub"),
    "carol": Student("her own architectures: a CNN with 5x5 'valid' convolutions, pooling and no dropout; "
                     "a deep network with sigmoids", {"build_cnn_model": CAROL_CNN, "build_deep_model": CAROL_DEEP}),
    "dave": Student("a train_model that drills 100 images: the models memorize them and fail on new digits",
                    {"train_model": DAVE_TRAIN}),
}
