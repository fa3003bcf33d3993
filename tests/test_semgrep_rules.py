"""The app's own semgrep rules (.semgrep/order_online.yml): each catches its fixtures and lets the good forms
through, the app has no finding, and every suppression says why.

semgrep comes with the test extras (pyproject.toml) and is taken from beside this Python; without it these
tests fail, they are never skipped. It runs offline: no metrics, no version check, rules from the file."""

import importlib.util
import io
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / ".semgrep" / "order_online.yml"
FIXTURES = ROOT / ".semgrep" / "fixtures"
# A miniature of the app's folders for the rules' paths:, which semgrep --test does not apply
LAYOUT_FIXTURE = FIXTURES / "app"


def _semgrep_command() -> list[str] | None:
	"""semgrep of this interpreter's install (its venv, system or user scripts, else its package run as a
	module), else the one on PATH; None when it is not installed."""
	scripts = [Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))]
	try:
		scripts.append(Path(sysconfig.get_path("scripts", f"{os.name}_user")))
	except KeyError:
		pass
	for folder in scripts:
		if (folder / "semgrep").is_file():
			return [str(folder / "semgrep")]
	if importlib.util.find_spec("semgrep") is not None:
		return [sys.executable, "-m", "semgrep"]
	on_path = shutil.which("semgrep")
	return [on_path] if on_path else None


SEMGREP = _semgrep_command()
# .ci/run installs the test extras and sets this: there a missing semgrep fails the run. A checkout whose
# environment lacks the extra skips these tests with the reason instead of failing on tooling.
REQUIRED = os.environ.get("OO_REQUIRE_SEMGREP") == "1"
OFFLINE = ["--metrics=off", "--disable-version-check"]
ENV = {**os.environ, "SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}
TIMEOUT_S = 600

ANNOTATION = re.compile(r"#\s*(ruleid|ok|todoruleid|todook)\s*:\s*(.+?)\s*$")
NOSEMGREP = re.compile(r"\bnosem(?:grep)?\b", re.IGNORECASE)
FORM = "'# nosemgrep: <rule id>[, <rule id>] -- <reason>'"  # the accepted suppression, matched by:
SUPPRESSION = re.compile(r"#\s*nosemgrep:\s*(?P<ids>[\w-]+(?:\s*,\s*[\w-]+)*)\s+--\s+(?P<reason>.*\S)")
REASON_MIN_WORDS = 4
NOT_SOURCE_DIRS = {".git", "node_modules", "__pycache__", "build", "dist"}


def rule_ids() -> list[str]:
	return re.findall(r"^\s*-\s+id:\s*(\S+)\s*$", RULES.read_text(encoding="utf-8"), re.MULTILINE)


def semgrep(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
	if SEMGREP is None:
		message = f"semgrep is not installed for {sys.executable}: pip install -e '.[test]' (a test extra)"
		if REQUIRED:
			pytest.fail(message)
		pytest.skip(message)
	return subprocess.run(
		[*SEMGREP, *args],
		cwd=cwd,
		env=ENV,
		stdin=subprocess.DEVNULL,
		capture_output=True,
		text=True,
		timeout=TIMEOUT_S,
	)


def rule_of(check_id: str) -> str:
	"""semgrep prefixes a rule's id with its config file's folder (``semgrep.oo-sql-fstring``)."""
	return check_id.rsplit(".", 1)[-1]


def source_line(path: Path, line: int) -> str:
	lines = path.read_text(encoding="utf-8").splitlines()
	return lines[line - 1].strip() if 0 < line <= len(lines) else ""


def annotations(path: Path) -> dict[str, list[tuple[int, str]]]:
	"""``{"ruleid": [(line, rule), ...], "ok": [...]}`` for the line after each annotation comment."""
	found: dict[str, list[tuple[int, str]]] = {"ruleid": [], "ok": [], "todoruleid": [], "todook": []}
	for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
		match = ANNOTATION.search(text)
		if match:
			for rule in re.split(r"[,\s]+", match.group(2).strip()):
				found[match.group(1)].append((number + 1, rule))
	return found


def findings(output: str) -> list[dict]:
	return json.loads(output)["results"]


def describe(results: list[dict], base: Path) -> str:
	return "\n".join(
		f"{rule_of(r['check_id'])}  {r['path']}:{r['start']['line']}  "
		f"{source_line(base / r['path'], r['start']['line'])}"
		for r in sorted(results, key=lambda r: (r["path"], r["start"]["line"], r["check_id"]))
	)


def test_the_rule_file_defines_the_apps_rules():
	assert rule_ids() == [
		"oo-sql-string-building",
		"oo-sql-fstring",
		"oo-guest-without-verification",
		"oo-ignore-permissions-in-endpoint",
		"oo-get-all-in-whitelisted",
	]


TEST_MODE_FIXTURES = sorted(FIXTURES.glob("*.py"))


def test_there_are_fixtures_for_test_mode():
	assert [p.name for p in TEST_MODE_FIXTURES] == [
		"get_all.py",
		"guest.py",
		"ignore_permissions.py",
		"sql.py",
	]


@pytest.mark.parametrize("fixture", TEST_MODE_FIXTURES, ids=lambda p: p.name)
def test_rules_catch_their_fixture_and_let_the_good_forms_through(fixture):
	"""semgrep --test: a finding on every line after ``# ruleid: <id>``, none anywhere else (``# ok:``)."""
	run = semgrep("scan", "--test", "--config", str(RULES), *OFFLINE, str(fixture))
	report = f"semgrep --test on {fixture.relative_to(ROOT)}:\n{run.stdout}\n{run.stderr}"
	assert run.returncode == 0, report
	assert "All tests passed" in run.stdout + run.stderr, report


def test_endpoint_rule_applies_to_api_www_and_portal_only(tmp_path):
	"""The rules' paths: on a copy of the app layout, scanned for real (semgrep --test ignores paths:)."""
	layout = tmp_path / "app"
	shutil.copytree(LAYOUT_FIXTURE, layout)
	# An empty .semgrepignore replaces semgrep's default one (which skips tests/ by itself), so what is
	# excluded here is what the rules exclude.
	(layout / ".semgrepignore").write_text("", encoding="utf-8")
	run = semgrep("scan", "--config", str(RULES), *OFFLINE, "--json", ".", cwd=layout)
	assert run.returncode == 0, run.stderr
	actual = {(r["path"], r["start"]["line"], rule_of(r["check_id"])) for r in findings(run.stdout)}
	expected = {
		(path.relative_to(layout).as_posix(), line, rule)
		for path in layout.rglob("*.py")
		for line, rule in annotations(path)["ruleid"]
	}
	assert len(expected) >= 3
	assert sorted(actual - expected) == [], "found where not expected"
	assert sorted(expected - actual) == [], "expected and not found"


def test_every_rule_has_two_caught_and_two_allowed_cases():
	counts = {rule: {"ruleid": 0, "ok": 0} for rule in rule_ids()}
	unknown = []
	for path in FIXTURES.rglob("*.py"):
		for kind, marks in annotations(path).items():
			for line, rule in marks:
				if rule not in counts:
					unknown.append(f"{path.relative_to(ROOT)}:{line - 1} {kind}: {rule}")
				elif kind in ("ruleid", "ok"):
					counts[rule][kind] += 1
	assert unknown == [], "annotations naming no rule of .semgrep/order_online.yml"
	assert {rule: c for rule, c in counts.items() if c["ruleid"] < 2 or c["ok"] < 2} == {}


def test_the_app_has_no_finding():
	"""The CI gate: the rules over order_online/ (its tests excluded by the rules) find nothing."""
	run = semgrep(
		"scan", "--config", str(RULES.relative_to(ROOT)), *OFFLINE, "--error", "--json", "order_online/"
	)
	report = json.loads(run.stdout) if run.stdout.strip() else {"results": [], "errors": []}
	errors = [e for e in report.get("errors", []) if e.get("level") == "error"]
	assert report["results"] == [], (
		f"{len(report['results'])} semgrep finding(s) in the app; fix them or, where the code is right, "
		"suppress it with '# nosemgrep: <rule id> -- <why it is safe>' at the end of the finding's line or "
		"alone on the line above:\n" + describe(report["results"], ROOT)
	)
	assert errors == [], f"semgrep could not check every file:\n{json.dumps(errors, indent=1)}"
	assert run.returncode == 0, f"semgrep exited {run.returncode}:\n{run.stderr}"


# --- every suppression says why --------------------------------------------------------------------------


def suppression_problem(comment: str, known: set[str]) -> str | None:
	"""Why a comment that mentions nosemgrep is not an accepted suppression, or None when it is."""
	match = SUPPRESSION.search(comment)
	if not match:
		return f"not of the form {FORM}"
	# ids of other rule sets (Frappe's own, say) are theirs to name; an oo- id must be one of ours
	unknown = [
		rule
		for rule in re.split(r"\s*,\s*", match.group("ids"))
		if rule.startswith("oo-") and rule not in known
	]
	if unknown:
		return f"names no rule of .semgrep/order_online.yml: {', '.join(unknown)}"
	words = [word for word in match.group("reason").split() if re.search(r"[^\W\d_]", word)]
	if len(words) < REASON_MIN_WORDS:
		return f"the reason after ' -- ' has {len(words)} word(s), at least {REASON_MIN_WORDS} are needed"
	return None


def python_sources() -> list[Path]:
	sources = []
	for dirpath, dirnames, filenames in os.walk(ROOT):
		dirnames[:] = [
			d
			for d in dirnames
			if d not in NOT_SOURCE_DIRS
			and not d.startswith((".venv", "venv"))
			and not d.endswith(".egg-info")
		]
		sources += [Path(dirpath) / name for name in filenames if name.endswith(".py")]
	return sorted(sources)


def nosemgrep_comments(path: Path) -> list[tuple[int, str]]:
	tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
	return [
		(token.start[0], token.string)
		for token in tokens
		if token.type == tokenize.COMMENT and NOSEMGREP.search(token.string)
	]


def test_every_suppression_in_the_app_sits_on_a_finding():
	"""A ``nosemgrep: oo-...`` comment suppresses only a finding that starts on its own line or, standing
	alone, on the next line: one elsewhere (say after a call's closing parenthesis, where ruff format moves
	a trailing comment off a long line) suppresses nothing and only looks like a decision."""
	run = semgrep(
		"scan",
		"--config",
		str(RULES.relative_to(ROOT)),
		*OFFLINE,
		"--disable-nosem",
		"--json",
		"order_online/",
	)
	assert run.stdout.strip(), run.stderr
	starts = {(r["path"], r["start"]["line"], rule_of(r["check_id"])) for r in findings(run.stdout)}
	stray = []
	for path in python_sources():
		relative = path.relative_to(ROOT).as_posix()
		if not relative.startswith("order_online/"):
			continue
		lines = path.read_text(encoding="utf-8").splitlines()
		for line, comment in nosemgrep_comments(path):
			match = SUPPRESSION.search(comment)
			if not match:
				continue  # test_every_nosemgrep_comment_gives_its_reason reports it
			alone = lines[line - 1].lstrip().startswith("#")
			for rule in re.split(r"\s*,\s*", match.group("ids")):
				if rule.startswith("oo-") and (relative, line + 1 if alone else line, rule) not in starts:
					stray.append(
						f"{relative}:{line}: no {rule} finding on this line{' or the next' if alone else ''}"
					)
	assert stray == [], "\n".join(stray)


@pytest.mark.parametrize(
	"comment, problem",
	[
		("# nosemgrep", "not of the form"),
		("# nosemgrep: oo-ignore-permissions-in-endpoint", "not of the form"),
		("# nosemgrep -- permission is checked above", "not of the form"),
		("# nosemgrep: oo-ignore-permissions-in-endpoint -- checked", "has 1 word(s)"),
		("# nosemgrep: oo-ignore-permissions-in-endpoint -- - - - - 1 2 3", "has 0 word(s)"),
		("# nosemgrep: oo-ignore-permission -- write permission is checked above", "names no rule"),
		("# nosemgrep: oo-ignore-permissions-in-endpoint -- write permission is checked above", None),
		("# nosemgrep: oo-sql-string-building, oo-sql-fstring -- table names from a fixed list", None),
		("# nosemgrep: frappe-manual-commit -- the refused request was rolled back", None),
		("# nosemgrep: the refused request was rolled back", "not of the form"),
	],
)
def test_suppression_check(comment, problem):
	found = suppression_problem(comment, set(rule_ids()))
	assert (found is None) if problem is None else (found is not None and problem in found), found


def test_every_nosemgrep_comment_gives_its_reason():
	"""A finding is suppressed only with the reason on its line: '# nosemgrep: <id> -- <at least 4 words>'."""
	known = set(rule_ids())
	problems = []
	for path in python_sources():
		try:
			comments = nosemgrep_comments(path)
		except (SyntaxError, tokenize.TokenError, UnicodeDecodeError) as exc:
			problems.append(f"{path.relative_to(ROOT)}: cannot be read for comments: {exc}")
			continue
		for line, comment in comments:
			problem = suppression_problem(comment, known)
			if problem:
				problems.append(f"{path.relative_to(ROOT)}:{line}: {problem}: {comment}")
	assert problems == [], "\n".join(problems)
