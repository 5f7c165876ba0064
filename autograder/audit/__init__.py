"""``autograder audit``: proof that a suite is fair (it asks only what the notebook says, and accepts every
valid answer) and sharp (it catches every catalogued mistake)."""
