"""nbgrader course directory of the kit: source = solutions/, release = assignments/.

nbgrader's own commands (and the formgrader's buttons) work on a kit course through the kit:
autograde grades with the kit's sandboxed engine, generate_feedback writes the kit's page,
generate_assignment ships selfcheck/ (autograder/nbgrader_ext.py). The exchange lives in
exchange/ beside this file (git-ignored), created here so that it always exists.
"""

import os

c = get_config()  # noqa: F821 (provided by nbgrader)

ROOT = os.path.dirname(os.path.abspath(__file__))

c.CourseDirectory.root = ROOT
c.CourseDirectory.course_id = "dl-kit"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(ROOT, "gradebook.db")
c.CourseDirectory.assignment_id = ""
# Any non-hidden notebook, like nbgrader's default "*"; but not literally "*", so that a forced autograde,
# generate_feedback or generate_assignment replaces the notebook it writes instead of deleting the whole
# folder (the kit's records in autograded/<student>/<aid>/, selfcheck/ in assignments/<aid>/).
c.CourseDirectory.notebook_id = "[!.]*"
# The grading engine's hidden suites live in autograder/suites/, never beside the source notebooks; the
# kit's internal records in autograded/ never reach feedback/ (generate_feedback copies what is not ignored).
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".pytest_cache",
                            "result.json", "gradescope.json", "grading.key", ".*.tmp"]
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}

c.Exchange.root = os.path.join(ROOT, "exchange")
os.makedirs(c.Exchange.root, mode=0o777, exist_ok=True)

c.GenerateAssignment.post_convert_hook = "autograder.nbgrader_ext.after_generate"
c.Autograde.sanitize_preprocessors = ["autograder.nbgrader_ext.GradeWithKit"]
c.Autograde.autograde_preprocessors = []
c.Autograde.permissions = 644  # the kit rewrites its records on a regrade
c.GenerateFeedback.preprocessors = []
c.GenerateFeedback.exporter_class = "autograder.nbgrader_ext.KitFeedbackExporter"
