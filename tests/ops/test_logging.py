import json
import logging

from zppbrabant.logformat import JsonFormatter


def test_json_log_lines_carry_level_logger_message_and_extras():
    record = logging.LogRecord("invoicing", logging.WARNING, __file__, 1, "run %s failed", ("7",), None)
    record.run_id = 7
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING"
    assert line["logger"] == "invoicing"
    assert line["message"] == "run 7 failed"
    assert line["run_id"] == 7


def test_json_log_lines_include_the_exception():
    try:
        raise ValueError("kapot")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "oops", (), sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert "ValueError: kapot" in line["exception"]

