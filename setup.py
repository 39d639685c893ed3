"""Makes the workspace installable: the `tstools` set-up and test runner, and the test dependencies.

The Frappe app itself is not installed from here: bench installs it into the bench's own
environment (see tools/tstools/bench.py). `./dev` creates .venv and installs this on first use.
"""

from setuptools import find_packages, setup

setup(
	name="techsolutions-support-workspace",
	version="0.1.0",
	description="Set-up and test tooling of the TechSolutions Support workspace",
	python_requires=">=3.11,<3.12",
	package_dir={"": "tools"},
	packages=find_packages("tools"),
	install_requires=[
		# bench builds and drives the Frappe bench
		"frappe-bench==5.31.1",
		# the framework-free core, tested here without Frappe
		"holidays==0.109",
		"snowballstemmer==3.1.1",
		# test runners and HTTP clients for the end-to-end suite
		"pytest==9.2.0",
		"hypothesis==6.170.27",
		"requests",  # the version frappe-bench pins
		# browser tests of the portal; drives the system Chromium (it downloads no browser here)
		"playwright==1.65.2",
	],
	extras_require={
		"lint": ["ruff==0.17.6", "mypy==2.4.1"],
	},
)
