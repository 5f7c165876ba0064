"""An otter-grader plugin: an otter course keeps its notebooks and `otter run`/Gradescope pipeline,
and the kit's sandboxed hidden suites decide the scores.

In ``otter_config.json``::

    {"plugins": [{"autograder.otter_plugin.KitPlugin": {"assignment": "01-perceptron", "course": "/path/to/kit"}}]}

After otter has run its own (public) tests, the plugin grades the same notebook with the kit and
sets each otter test whose name is a kit question to the kit's score for it, scaled to that
test's points; the kit's failing tests and hints go into the output. The reference canary runs first
(remembered for an unchanged environment): a solution short of full marks, or an environment that fails the
submission, raises instead of setting any score.
"""

from __future__ import annotations

from pathlib import Path

from otter.plugins import AbstractOtterPlugin


class KitPlugin(AbstractOtterPlugin):
    def after_grading(self, results) -> None:
        from autograder.canary import check_reference
        from autograder.course import load_assignment
        from autograder.gradescope import results_json
        from autograder.runner import Submission, grade_submission
        from autograder.session import options_for

        assignment = load_assignment(self.plugin_config["assignment"], Path(self.plugin_config["course"]))
        options = options_for(assignment.settings)
        check_reference(assignment, options)  # raises CanaryFailed: nobody is scored against a broken reference
        result = grade_submission(assignment, Submission("otter", Path(self.submission_path)), options)
        if result.status == "environment":
            raise RuntimeError(f"not graded: environment error: {result.error}")
        summary = results_json(result)
        for entry in summary["tests"]:
            if entry["name"] in results.results:
                otter_points = results.results[entry["name"]].possible
                share = entry["score"] / entry["max_score"] if entry["max_score"] else 0.0
                results.update_score(entry["name"], round(share * otter_points, 6))
        results.set_output("kit (sandboxed hidden suites):\n" + "\n".join(
            f"{e['name']}: {e['score']:g}/{e['max_score']:g}\n{e['output']}" for e in summary["tests"]))
