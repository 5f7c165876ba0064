"""Hidden tests of 07-lstm: the LSTM cell and the sequence, against the reference and by their properties.

Random shapes and weights (seeded per student), compared with the reference to 1e-9 in float64; then
weights built so that one gate is pinned open or shut (a bias of +-30 puts a sigmoid within 1e-13 of 1 or
0), which isolates each part of the equations: the order of the gate blocks, the input gate, the output
gate, the tanh of the candidate and of the cell state, the recurrent weights, the bias.
"""

import numpy as np
import pytest

from autograder.selfcheck import CheckFailure, expect_array, expect_tuple, expect_unchanged

pytestmark = pytest.mark.visibility("hidden")

OPEN, SHUT = 30.0, -30.0
GATES = {"i": 0, "f": 1, "c": 2, "o": 3}


def random_params(rng, d, h, scale=0.6):
    return {"W": rng.normal(0, scale, (d, 4 * h)), "U": rng.normal(0, scale, (h, 4 * h)),
            "b": rng.normal(0, scale, 4 * h)}


def pinned(rng, d, h, **gates):
    """Random weights whose gate blocks named in ``gates`` have zero weights and the given bias."""
    params = random_params(rng, d, h)
    for gate, bias in gates.items():
        block = slice(GATES[gate] * h, (GATES[gate] + 1) * h)
        params["W"][:, block] = 0.0
        params["U"][:, block] = 0.0
        params["b"][block] = bias
    return params


def states(rng, n, d, h, c_scale=1.0):
    return rng.normal(size=(n, d)), rng.normal(0, 0.5, (n, h)), rng.normal(0, c_scale, (n, h))


def cell(student, reference, x, h_prev, c_prev, params, what):
    """The student's (h, c), checked against the reference's: c first, then h."""
    out = student.lstm_cell_forward(x, h_prev, c_prev, params)
    expect_tuple(out, 2, name="lstm_cell_forward(...)")
    h_ref, c_ref = reference.lstm_cell_forward(x, h_prev, c_prev, params)
    expect_array(out[1], c_ref, name=f"c {what}", dtype="float")
    expect_array(out[0], h_ref, name=f"h {what}", dtype="float")
    return out


# --------------------------------------------------------------------------- lstm_cell_forward


@pytest.mark.question("lstm_cell_forward")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Compare each line of your code with the equations: z, the four gates, c, then h.",
    "z = x·W + h_prev·U + b (all three terms), cut into blocks of H columns in the order i, f, c, o; sigmoid "
    "for i, f, o and tanh for the candidate; c = f·c_prev + i·g; h = o·tanh(c).",
)
@pytest.mark.spec(
    "gate blocks in Keras' order i, f, c (candidate), o. Returns (h, c), two (N, H) arrays.",
    "$$z = x_t W + h_{t-1} U + b \\qquad (N \\times 4H)$$",
    "$$c_t = f \\odot c_{t-1} + i \\odot g, \\qquad\\qquad h_t = o \\odot \\tanh(c_t)$$",
)
def test_cell_random_against_reference(student, reference, rng):
    for n, d, h in ((4, 3, 5), (1, 6, 2), (7, 1, 3)):
        x, h_prev, c_prev = states(rng, n, d, h)
        cell(student, reference, x, h_prev, c_prev, random_params(rng, d, h), f"for N={n}, D={d}, H={h}")


@pytest.mark.question("lstm_cell_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The gate blocks come in a fixed order: check which block you take for which gate.",
    "The order of the 4H columns is i, f, c (candidate), o, as in Keras: columns 0:H are the input gate, "
    "H:2H the keep (forget) gate, 2H:3H the candidate, 3H:4H the output gate. Here the first block is pinned "
    "open and the second shut, so c must equal the candidate g.",
)
@pytest.mark.spec(
    "the gate blocks are columns `0:H` ($i$), `H:2H` ($f$), `2H:3H` ($g$) and `3H:4H` ($o$) of $z$.",
    "**in Keras' order: $i$, $f$, $c$ (the candidate), $o$**",
)
def test_cell_gate_order(student, reference, rng):
    x, h_prev, c_prev = states(rng, 3, 4, 3)
    cell(student, reference, x, h_prev, c_prev, pinned(rng, 4, 3, i=OPEN, f=SHUT), "with the input gate open "
         "and the keep gate shut")


@pytest.mark.question("lstm_cell_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With the keep gate open and the input gate shut, the cell state must pass unchanged.",
    "c = f·c_prev + i·g: with f = 1 and i = 0 it is c_prev, whatever the candidate is. Multiply the candidate "
    "by the input gate i (do not add g on its own), and take f from the second block.",
)
@pytest.mark.spec(
    "the cell state passes unchanged through an open keep gate and a closed input gate",
    "$$c_t = f \\odot c_{t-1} + i \\odot g, \\qquad\\qquad h_t = o \\odot \\tanh(c_t)$$",
)
def test_cell_state_carried_when_keep_open_and_input_shut(student, reference, rng):
    x, h_prev, c_prev = states(rng, 4, 3, 5, c_scale=2.0)
    out = cell(student, reference, x, h_prev, c_prev, pinned(rng, 3, 5, i=SHUT, f=OPEN), "with f = 1 and i = 0")
    expect_array(out[1], c_prev, name="c with f = 1 and i = 0 (it must equal c_prev)", rtol=1e-9, atol=1e-9)


@pytest.mark.question("lstm_cell_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "With the output gate shut, h must be 0, whatever the cell state holds.",
    "h = o·tanh(c): the output gate o (the last block) decides how much of the cell state is shown as h.",
)
@pytest.mark.spec(
    "how much of $\\tanh(c_t)$ is shown to the outside as $h_t$",
    "$$c_t = f \\odot c_{t-1} + i \\odot g, \\qquad\\qquad h_t = o \\odot \\tanh(c_t)$$",
)
def test_cell_output_gate(student, reference, rng):
    x, h_prev, c_prev = states(rng, 3, 2, 4)
    out = cell(student, reference, x, h_prev, c_prev, pinned(rng, 2, 4, o=SHUT), "with the output gate shut")
    expect_array(out[0], np.zeros((3, 4)), name="h with the output gate shut", atol=1e-9)


@pytest.mark.question("lstm_cell_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "h is always between -1 and 1, even when the cell state is large.",
    "h = o·tanh(c): squash the new cell state with tanh(c) before the output gate; the cell state itself is "
    "not squashed and may grow beyond 1.",
)
@pytest.mark.spec(
    "$|h| < 1$",
    "$$c_t = f \\odot c_{t-1} + i \\odot g, \\qquad\\qquad h_t = o \\odot \\tanh(c_t)$$",
)
def test_cell_h_is_tanh_of_a_large_cell_state(student, reference, rng):
    x, h_prev, _ = states(rng, 4, 3, 3)
    c_prev = rng.choice([-1.0, 1.0], size=(4, 3)) * rng.uniform(3, 8, size=(4, 3))
    out = cell(student, reference, x, h_prev, c_prev, pinned(rng, 3, 3, f=OPEN, o=OPEN), "with a large c_prev")
    if not np.all(np.abs(out[0]) < 1):
        raise CheckFailure("h has entries of size 1 or more for a large cell state")


@pytest.mark.question("lstm_cell_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The candidate g can be negative: it is a value to be written, not a gate.",
    "The candidate (the third block) goes through tanh, between -1 and 1; a sigmoid there could only ever add "
    "to the cell state. Here the input gate is open, the keep gate shut and z_c negative: c must be negative.",
)
@pytest.mark.spec(
    "The candidate $g$ is a tanh, between $-1$ and $1$, because it is a value to be written, and values can be "
    "negative.",
)
def test_cell_candidate_is_tanh(student, reference, rng):
    x, h_prev, c_prev = states(rng, 3, 2, 3)
    params = pinned(rng, 2, 3, i=OPEN, f=SHUT, c=-1.5)
    out = cell(student, reference, x, h_prev, c_prev, params, "with the candidate's z = -1.5")
    if not np.all(np.asarray(out[1]) < 0):
        raise CheckFailure("c is not negative although the candidate is tanh(-1.5) and only it is written")


@pytest.mark.question("lstm_cell_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The previous output h_prev enters every gate through the recurrent weights U.",
    "z = x·W + h_prev·U + b: here x = 0 and b = 0, so everything the gates see comes from h_prev·U.",
)
@pytest.mark.spec(
    "$$z = x_t W + h_{t-1} U + b \\qquad (N \\times 4H)$$",
)
def test_cell_uses_the_recurrent_weights(student, reference, rng):
    _, h_prev, c_prev = states(rng, 3, 4, 3)
    params = random_params(rng, 4, 3)
    params["b"][:] = 0.0
    cell(student, reference, np.zeros((3, 4)), h_prev, c_prev, params, "for x = 0 and b = 0")


@pytest.mark.question("lstm_cell_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The bias b is part of every gate.",
    "z = x·W + h_prev·U + b: add the bias (4H values, one per column of z). Here x = 0 and h_prev = 0, so "
    "z = b.",
)
@pytest.mark.spec(
    "$$z = x_t W + h_{t-1} U + b \\qquad (N \\times 4H)$$",
)
def test_cell_uses_the_bias(student, reference, rng):
    _, _, c_prev = states(rng, 2, 3, 4)
    cell(student, reference, np.zeros((2, 3)), np.zeros((2, 4)), c_prev, random_params(rng, 3, 4, scale=1.5),
         "for x = 0 and h_prev = 0")


@pytest.mark.question("lstm_cell_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "lstm_cell_forward must not change its inputs.",
    "Compute new arrays: c = f * c_prev + i * g, not c_prev *= f; and do not write into params['W'], "
    "params['U'] or params['b'].",
)
@pytest.mark.spec(
    "Never modify the arrays you are given.",
)
def test_cell_inputs_unchanged(student, rng):
    x, h_prev, c_prev = states(rng, 3, 2, 4)
    params = random_params(rng, 2, 4)
    call = student.call("lstm_cell_forward", x, h_prev, c_prev, params)
    for name, before, after in (("x", x, call.args[0]), ("h_prev", h_prev, call.args[1]),
                                ("c_prev", c_prev, call.args[2])):
        expect_unchanged(before, after, name=name)
    after = call.args[3]
    if not isinstance(after, dict) or set(after) != {"W", "U", "b"}:
        raise CheckFailure("params was modified in place (its keys changed)")
    for key in ("W", "U", "b"):
        expect_unchanged(params[key], after[key], name=f"params['{key}']")


# --------------------------------------------------------------------------- lstm_forward


def forward(student, xs, h0, c0, params):
    out = student.lstm_forward(xs, h0, c0, params)
    expect_tuple(out, 2, name="lstm_forward(...)")
    expect_tuple(out[1], 2, name="the final state (h_T, c_T)")
    return out[0], out[1][0], out[1][1]


@pytest.mark.question("lstm_forward")
@pytest.mark.points(2)
@pytest.mark.hint(
    "Run the cell once per time step, with the same weights, and keep every h.",
    "hs has shape (N, T, H); hs[:, t] is the h that step t returns; (h_T, c_T) is the state after the last "
    "step.",
)
@pytest.mark.spec(
    "Write `lstm_forward(xs, h0, c0, params)` for a batch of sequences `xs` of shape `(N, T, D)`",
    "Return `(hs, (h_T, c_T))`: `hs` of shape `(N, T, H)` holds $h_t$ of every step (`hs[:, t]` is $h_{t+1}$ of "
    "step $t+1$, counting from 1), and `(h_T, c_T)` is the state after the last step.",
)
def test_forward_random_against_reference(student, reference, rng):
    for n, t, d, h in ((3, 5, 4, 3), (2, 9, 2, 6)):
        params = random_params(rng, d, h)
        xs, h0, c0 = rng.normal(size=(n, t, d)), rng.normal(0, 0.5, (n, h)), rng.normal(size=(n, h))
        hs, h_t, c_t = forward(student, xs, h0, c0, params)
        hs_ref, (h_ref, c_ref) = reference.lstm_forward(xs, h0, c0, params)
        what = f"for N={n}, T={t}, D={d}, H={h}"
        expect_array(hs, hs_ref, name=f"hs {what}", dtype="float")
        expect_array(h_t, h_ref, name=f"h_T {what}", dtype="float")
        expect_array(c_t, c_ref, name=f"c_T {what}", dtype="float")


@pytest.mark.question("lstm_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Each step starts from the state the step before it returned.",
    "Carry (h, c) from one step to the next: (h, c) = lstm_cell_forward(xs[:, t, :], h, c, params). Starting "
    "every step from (h0, c0) gives the right first step and wrong later ones.",
)
@pytest.mark.spec(
    "An LSTM layer applies the same cell (the same $W$, $U$, $b$) at every time step, and hands each step's $(h, "
    "c)$ to the next.",
)
def test_forward_carries_the_state(student, reference, rng):
    params = random_params(rng, 3, 4, scale=0.9)
    xs, h0, c0 = rng.normal(size=(2, 4, 3)), np.zeros((2, 4)), np.zeros((2, 4))
    hs, _, c_t = forward(student, xs, h0, c0, params)
    hs_ref, (_, c_ref) = reference.lstm_forward(xs, h0, c0, params)
    expect_array(hs, hs_ref, name="hs from a zero initial state", dtype="float")
    expect_array(c_t, c_ref, name="c_T from a zero initial state", dtype="float")


@pytest.mark.question("lstm_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "The first step starts from the initial state (h0, c0) you are given.",
    "Do not start from zeros: the first call is lstm_cell_forward(xs[:, 0, :], h0, c0, params). With a keep "
    "gate held open, c0 must still be in c_T.",
)
@pytest.mark.spec(
    "starting from the states `h0`, `c0` (`(N, H)` each)",
)
def test_forward_starts_from_the_initial_state(student, reference, rng):
    params = pinned(rng, 2, 3, f=OPEN)
    xs, h0, c0 = rng.normal(size=(2, 3, 2)), rng.normal(0, 0.5, (2, 3)), rng.normal(0, 2, (2, 3))
    hs, _, c_t = forward(student, xs, h0, c0, params)
    hs_ref, (_, c_ref) = reference.lstm_forward(xs, h0, c0, params)
    expect_array(c_t, c_ref, name="c_T with the keep gate open", dtype="float")
    expect_array(hs, hs_ref, name="hs", dtype="float")


@pytest.mark.question("lstm_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "Return the state after the last step, not the initial one, nor the first step's.",
    "Return (hs, (h, c)) with h and c as the loop leaves them; h_T equals hs[:, -1].",
)
@pytest.mark.spec(
    "Return `(hs, (h_T, c_T))`: `hs` of shape `(N, T, H)` holds $h_t$ of every step (`hs[:, t]` is $h_{t+1}$ of "
    "step $t+1$, counting from 1), and `(h_T, c_T)` is the state after the last step.",
)
def test_forward_final_state(student, reference, rng):
    params = random_params(rng, 2, 2)
    xs, h0, c0 = rng.normal(size=(3, 6, 2)), rng.normal(0, 0.5, (3, 2)), rng.normal(size=(3, 2))
    hs, h_t, c_t = forward(student, xs, h0, c0, params)
    _, (h_ref, c_ref) = reference.lstm_forward(xs, h0, c0, params)
    expect_array(h_t, h_ref, name="h_T", dtype="float")
    expect_array(c_t, c_ref, name="c_T", dtype="float")


@pytest.mark.question("lstm_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "One example and one time step are a sequence too.",
    "For N = 1 and T = 1, hs has shape (1, 1, H). Index time with xs[:, t, :] (axis 1), and stack the h along "
    "axis 1.",
)
@pytest.mark.spec(
    "Write `lstm_forward(xs, h0, c0, params)` for a batch of sequences `xs` of shape `(N, T, D)`",
    "Return `(hs, (h_T, c_T))`: `hs` of shape `(N, T, H)` holds $h_t$ of every step (`hs[:, t]` is $h_{t+1}$ of "
    "step $t+1$, counting from 1), and `(h_T, c_T)` is the state after the last step.",
)
def test_forward_single_example_single_step(student, reference, rng):
    params = random_params(rng, 3, 2)
    xs, h0, c0 = rng.normal(size=(1, 1, 3)), rng.normal(0, 0.5, (1, 2)), rng.normal(size=(1, 2))
    hs, h_t, c_t = forward(student, xs, h0, c0, params)
    hs_ref, (h_ref, c_ref) = reference.lstm_forward(xs, h0, c0, params)
    expect_array(hs, hs_ref, name="hs for N=1, T=1", dtype="float")
    expect_array(c_t, c_ref, name="c_T for N=1, T=1", dtype="float")


@pytest.mark.question("lstm_forward")
@pytest.mark.points(1)
@pytest.mark.hint(
    "lstm_forward must not change its inputs.",
    "Do not write into xs, h0, c0 or the weights: keep the running state in new variables.",
)
@pytest.mark.spec(
    "Never modify the arrays you are given.",
)
def test_forward_inputs_unchanged(student, rng):
    params = random_params(rng, 2, 3)
    xs, h0, c0 = rng.normal(size=(2, 4, 2)), rng.normal(0, 0.5, (2, 3)), rng.normal(size=(2, 3))
    call = student.call("lstm_forward", xs, h0, c0, params)
    for name, before, after in (("xs", xs, call.args[0]), ("h0", h0, call.args[1]), ("c0", c0, call.args[2])):
        expect_unchanged(before, after, name=name)
    after = call.args[3]
    for key in ("W", "U", "b"):
        if not isinstance(after, dict) or key not in after:
            raise CheckFailure("params was modified in place (its keys changed)")
        expect_unchanged(params[key], after[key], name=f"params['{key}']")
