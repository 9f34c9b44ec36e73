"""Every casework write that has rules. Views, admin, imports and tasks call these, as ``services.<name>``.

One module per sub-domain: ``visits`` (visits, the watch list, urgent visit requests), ``casefiles`` (case
files and their approvals), ``groups`` (group work); ``_common`` holds what they share (scope checks, the one
helper that locks rows in primary-key order, audit values).
"""

from ._common import lock_in_pk_order
from .casefiles import (
    CASE_EDITABLE,
    CASE_INTAKE,
    FREE_MOVES,
    FROZEN_BY_GATE,
    GATE_OF_STAGE,
    GATED_MOVES,
    NEXT_AFTER_GATE,
    DuplicateCaseWarning,
    Gate,
    Stage,
    case_add_goal,
    case_add_note,
    case_add_session,
    case_advance,
    case_approve,
    case_change_goal,
    case_delete_goal,
    case_delete_session,
    case_open,
    case_reassign,
    case_record_view,
    case_reopen,
    case_request_closure,
    case_send_back,
    case_submit,
    case_update,
)
from .groups import group_members_add, group_save, group_session_record
from .visits import (
    DOUBLE_SUBMIT_SECONDS,
    VISIT_EDITABLE,
    VISIT_REQUEST_EDITABLE,
    WATCH_EDITABLE,
    visit_check_many,
    visit_record,
    visit_record_many,
    visit_request_create,
    visit_request_update,
    visit_update,
    watch_entry_end,
    watch_entry_set,
    watch_entry_update,
)

__all__ = [
    "CASE_EDITABLE", "CASE_INTAKE", "DOUBLE_SUBMIT_SECONDS", "FREE_MOVES", "FROZEN_BY_GATE", "GATED_MOVES",
    "GATE_OF_STAGE", "NEXT_AFTER_GATE", "VISIT_EDITABLE", "VISIT_REQUEST_EDITABLE", "WATCH_EDITABLE",
    "DuplicateCaseWarning", "Gate", "Stage", "case_add_goal", "case_add_note", "case_add_session",
    "case_advance", "case_approve", "case_change_goal", "case_delete_goal", "case_delete_session", "case_open",
    "case_reassign", "case_record_view", "case_reopen", "case_request_closure", "case_send_back", "case_submit",
    "case_update", "group_members_add", "group_save", "group_session_record", "lock_in_pk_order", "visit_check_many", "visit_record",
    "visit_record_many", "visit_request_create", "visit_request_update", "visit_update", "watch_entry_end",
    "watch_entry_set",
    "watch_entry_update",
]  # fmt: skip
