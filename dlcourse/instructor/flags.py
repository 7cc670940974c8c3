"""What in a submission's source an instructor should look at: reaching into the checkers.

These are flags, not grades: the grade never depends on them (the judge runs apart and the
learner's kernel holds no references), but a submission that calls ``.solution()`` or pokes at
the grading machinery deserves a human look.
"""

from __future__ import annotations

import io
import re
import tokenize

# (pattern, what the report says)
PATTERNS = [
    (r"\.solution\s*\(", "calls .solution()"),
    (r"\.(reference|_solution|solution_text|_verdict|_observe|observe_path|last_outcome)\b"
     r"|['\"](reference|_solution|solution_text)['\"]"
     r"|\b(q\d+|exercise)\s*\.\s*(\w+\s*\.\s*)?(expected|evaluate|verdict|judge|observe|"
     r"inputs|cases|checker|compare|answer|options|explanations|questions|__dict__)\b"
     r"|\bvars\(\s*(q\d+|exercise)\b", "touches a question's internals"),
    (r"\b(ANSWERS|QUESTIONS|run_observation|CourseFinder)\b", "touches the grading kernel"),
    (r"\bdlcourse\.(grading|instructor)\b", "reaches into dlcourse's grading code"),
    (r"\bsys\.(meta_path|modules|path_hooks|addaudithook|settrace|setprofile)\b",
     "changes how Python imports or runs code"),
    (r"\b(importlib|__import__|runpy|ctypes|gc\.get_(objects|referrers))\b",
     "uses import machinery or interpreter internals"),
    (r"\binspect\.(getsource|getfile|getmodule|getmembers)\b", "reads source through inspect"),
    (r"application/vnd\.dlcourse", "writes grading records itself"),
    (r"\b(os\.(fork|kill|killpg|system|exec\w*|spawn\w*|_exit)|subprocess|signal\.)",
     "runs, signals or forks processes"),
    (r"(^|\n)\s*(!|%%?(sh|bash|system|sx|script)\b)", "runs shell commands"),
    (r"\b(os\.(remove|unlink|rename|replace|rmdir|chmod)|shutil\.|\.write_(text|bytes)\s*\(|"
     r"open\s*\([^)]*['\"][wax+])", "writes or removes files"),
]
_IMPORT_LINE = re.compile(r"^\s*from\s+dlcourse\.course\.ex\d\d_\w+\s+import\s+[\w\s,()]+$",
                          re.MULTILINE)
_COURSE = re.compile(r"\bdlcourse\.course\b")


def without_comments(source: str) -> str:
    """The code of a cell without its comments (where it tokenizes; magics may not)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        return tokenize.untokenize([t for t in tokens if t.type != tokenize.COMMENT])
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return re.sub(r"(?m)^\s*#.*$", "", source)


def scan(sources: list[str]) -> list[str]:
    """The flags raised by a submission's code cells, each once, in the order above."""
    text = "\n".join(without_comments(s) for s in sources)
    flags = [what for pattern, what in PATTERNS if re.search(pattern, text)]
    if _COURSE.search(_IMPORT_LINE.sub("", text)):
        flags.append("reaches into dlcourse.course beyond importing its exercise")
    seen: list[str] = []
    for flag in flags:
        if flag not in seen:
            seen.append(flag)
    return seen
