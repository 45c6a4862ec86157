"""The Graphviz DOT reader, in three steps: :mod:`~symcost.read.dot.graphviz` parses the
text, :mod:`~symcost.read.dot.facts` reads labels into facts, :mod:`~symcost.read.dot.costs`
turns facts into costs; :mod:`~symcost.read.dot.reader` runs them (``read_dot``)."""

from symcost.read.dot.reader import read_dot

__all__ = ["read_dot"]
