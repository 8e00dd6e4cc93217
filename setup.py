"""Declares the compiled extension modules; all metadata lives in pyproject.toml."""

from Cython.Build import cythonize
from setuptools import Extension, setup

extensions = [
    Extension("ddblite._speedups", ["ext/_speedups.pyx"]),
    Extension("ddblite._typeconv", ["ext/_typeconv.pyx"]),
    Extension("ddblite._evaluate", ["ext/_evaluate.pyx"]),
    Extension("ddblite._usage", ["ext/_usage.pyx"]),
    Extension("ddblite._throttle", ["ext/_throttle.pyx"]),
]

setup(ext_modules=cythonize(extensions, language_level=3))
