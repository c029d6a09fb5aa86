# Test fixture: a stand-in for slapos.grid.promise (only what plugins import).
from slapos.grid.promise.generic import GenericPromise, TestResult, AnomalyResult
