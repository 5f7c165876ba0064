"""One module per ``autograder`` subcommand; autograder/cli.py registers them."""
