"""The core must never import Frappe or Helpdesk: it is tested here, where neither exists."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

CORE = (
	Path(__file__).resolve().parents[2] / "apps" / "techsolutions_support" / "techsolutions_support" / "core"
)
FORBIDDEN = ("frappe", "helpdesk", "telephony")
MODULES = sorted(CORE.glob("*.py"))


def imported_roots(source: str) -> set[str]:
	roots = set()
	for node in ast.walk(ast.parse(source)):
		if isinstance(node, ast.Import):
			roots.update(alias.name.split(".")[0] for alias in node.names)
		elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
			roots.add(node.module.split(".")[0])
	return roots


def test_core_has_modules():
	assert len(MODULES) > 1


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_no_framework_import_in_source(module):
	assert not imported_roots(module.read_text(encoding="utf-8")) & set(FORBIDDEN)


def test_core_imports_with_the_framework_blocked():
	"""Import every core module in a fresh interpreter where importing frappe fails loudly."""
	names = [f"techsolutions_support.core.{path.stem}" for path in MODULES if path.stem != "__init__"]
	program = "\n".join(
		[
			"import sys",
			f"for name in {FORBIDDEN!r}: sys.modules[name] = None",
			"import importlib",
			f"for name in {names!r}: importlib.import_module(name)",
			f"assert not any(m.split('.')[0] in {FORBIDDEN!r} and sys.modules[m] for m in sys.modules)",
		]
	)
	app = CORE.parents[1]
	result = subprocess.run(
		[sys.executable, "-c", program], capture_output=True, text=True, cwd=app, timeout=120
	)
	assert result.returncode == 0, result.stderr


def test_import_guard_detects_a_framework_import():
	assert "frappe" in imported_roots("import frappe.utils\nfrom helpdesk.utils import is_agent")
