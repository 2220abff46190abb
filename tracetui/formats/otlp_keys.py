"""The ``tracetui.*`` attribute keys an OTLP export carries so that reading it back gives the
same run: spelled once here for the writer (reports/otlp.py) and the reader (loaders/otlp.py)."""

from __future__ import annotations

# On spans.
STATUS = "tracetui.status"  # the model's status word (OpenTelemetry has only ok and error)
KIND = "tracetui.kind"  # node, tool_call, step, ... (also on span events: the event's kind)
KEY = "tracetui.key"  # the span's key in its trace
REPORTED_DURATION = "tracetui.reported_duration_s"  # the source's own duration of the work
OPEN = "tracetui.open"  # no end time: the export's end time is a stand-in
NO_START = "tracetui.no_start"  # no start time: the export's start time is a stand-in
ERROR = "tracetui.error"
INPUTS = "tracetui.inputs"
OUTPUTS = "tracetui.outputs"
PLACEHOLDER = "tracetui.placeholder"  # a span standing for a run that had none

# On the resource (one per run).
DIALECT = "tracetui.dialect"
SOURCE = "tracetui.source"
RUN_STATUS = "tracetui.run_status"
RUN_ID = "tracetui.run_id"  # the run's own id, as written (a UUID, trace:job-001, ...)
RUN_NAME = "tracetui.run_name"  # the run's own name (service.name is never empty)
RELATIVE_TIMES = "tracetui.relative_times"  # no absolute start: times are from the epoch
STARTED_AT = "tracetui.started_at"
DURATION = "tracetui.duration_s"
RUN_ERROR = "tracetui.run_error"

PREFIX = "tracetui."
