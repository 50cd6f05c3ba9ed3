"""The store's tables, and the rules the database itself enforces on them (SQLite and PostgreSQL).

The tables:

* ``inspections``: one row per inspection, with its listing summary and the head of its audit
  chain (the last entry's sequence number and MAC);
* ``fields``: the current value of every leaf of every inspection, each with the sequence
  number of the audit entry that wrote it (its version);
* ``audit``: every change, append-only: who, when (UTC, set by the writer and checked by the
  database against its own clock), what, the new value, and the MAC that chains it to the entry
  before it (see :mod:`kit.store._chain`). A new inspection is one ``create`` entry holding
  the whole document (compressed), not one entry per field;
* ``blobs``: evidence (photos, files, drawn signatures) by SHA-256, never changed;
* ``answers``: trainees' answers to the training exercises, one per person and exercise,
  never changed;
* ``companies``: the office's register of companies (``kit companies import``), one row per
  credit code, each written with its entry in ``company_trail`` (who, when, the row before
  and after), which is append-only, each entry chained by its MAC to the company's entry
  before it (since schema 12; :func:`kit.store._chain.row_mac`);
* ``plan_lines``: the year's plan as saved (``kit plan --save``), one row per line with its
  stable id (``2027-014``), each written with its entry in ``plan_trail`` (append-only, each
  entry chained to the line's entry before it, as the register's), and the inspection made
  from it once done, which never changes again;
* ``reminders``: each reminder mail sent (``kit remind``), one per finding, deadline and kind
  (before the deadline, after it passed), with its recipients, who sent it and when;
  append-only;
* ``search_grams`` and ``team_users``: what the picker's search and the access filter read by
  key (:mod:`kit.store._search`): each inspection's searched text (``inspections.search``)
  cut into its pieces of one, two and three characters, and the sign-ins of its team, each
  with the inspection's ``updated_at`` (an inspector's picker reads their page in update
  order, stopping at its end). Both follow the inspection's row in the same transaction as
  every write; neither holds anything the inspection's own row does not.

Triggers make the database refuse what the kit never does: changing or deleting an audit
entry, an audit entry back-dated or far from the database's clock, a current value written or
removed without the audit entry that says so, a chain head that is not the last entry, deleting
an inspection, rewriting who created it. A database whose triggers are missing is reported
(:func:`missing_protections`), never silently repaired: only ``kit db upgrade`` (Alembic)
changes a database's schema. On PostgreSQL the office's set-up also gives the kit's role no
UPDATE or DELETE on the trail (:func:`postgres_grants`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Final

import sqlalchemy as sa
from sqlalchemy.schema import CreateIndex, CreateTable

#: The Alembic revision of the schema this code writes (``kit/store/migrations/versions``).
HEAD_REVISION: Final = "0012"
#: The schema numbers a user sees in messages (revision 0001 is the first kit's schema).
SCHEMA_NUMBER: Final = {"0001": 1, "0002": 2, "0003": 3, "0004": 4, "0005": 5, "0006": 6,
                             "0007": 7, "0008": 8, "0009": 9, "0010": 10, "0011": 11,
                             "0012": 12}

#: the rows the unique index ``notice_numbers`` covers: every notice's number once given
NOTICE_NUMBERS: Final = "path LIKE 'notices/%/number' AND value <> '\"\"'"
#: the unique index on written notices' numbers, partial: written as SQL that SQLite and
#: PostgreSQL both read (as migration 0004 writes it), not as an ``sa.Index`` whose
#: ``postgresql_where`` would load SQLAlchemy's PostgreSQL dialect for every SQLite store
NOTICE_INDEX: Final = ("CREATE UNIQUE INDEX notice_numbers ON fields (value) "
                       f"WHERE {NOTICE_NUMBERS}")

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
metadata = sa.MetaData()

inspections = sa.Table(
    "inspections", metadata,
    sa.Column("key", _ID, primary_key=True, autoincrement=True),
    sa.Column("id", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("created_by", sa.Text, nullable=False),
    sa.Column("deleted", sa.Boolean, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.Column("head_seq", _ID, nullable=False),
    sa.Column("head_mac", sa.LargeBinary, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    # what the picker's search looks in: id, summary values and people, case folded
    # (kit.store._search.search_text); a store upgraded to schema 10 had it filled
    sa.Column("search", sa.Text, nullable=False, server_default=sa.text("''")),
    sa.Index("inspections_by_update", "updated_at"),  # the picker's most recent page
)

#: every piece of one, two and three characters of each inspection's searched text (a query
#: of up to three is one key; a longer one is read by its rarest piece and checked whole)
search_grams = sa.Table(
    "search_grams", metadata,
    sa.Column("gram", sa.Text, primary_key=True),
    sa.Column("ins", _ID, sa.ForeignKey("inspections.key"), primary_key=True),
    sqlite_with_rowid=False,
)

#: the sign-ins of each inspection's team: who reads it on the office server (the access
#: filter of listings and searches, read by key), each with the inspection's ``updated_at``:
#: keyed in that order, an inspector's picker reads the first rows of their range and stops
team_users = sa.Table(
    "team_users", metadata,
    sa.Column("user", sa.Text, primary_key=True),
    sa.Column("updated_at", sa.Text, primary_key=True),
    sa.Column("ins", _ID, sa.ForeignKey("inspections.key"), primary_key=True),
    # one row per sign-in and inspection; verify(ID) compares them with the record
    sa.Index("team_users_by_inspection", "ins", "user", unique=True),
    sqlite_with_rowid=False,
)

fields = sa.Table(
    "fields", metadata,
    sa.Column("ins", _ID, sa.ForeignKey("inspections.key"), primary_key=True),
    sa.Column("path", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    sa.Column("version", _ID, nullable=False),
    # a written notice's document number is the office's: never the same on two notices
    # (NOTICE_INDEX, made with the tables: a partial index, in SQL both databases read)
    sqlite_with_rowid=False,  # the primary key is the table: one b-tree to write, not two
)

audit = sa.Table(
    "audit", metadata,
    sa.Column("seq", _ID, primary_key=True, autoincrement=True),
    sa.Column("ins", _ID, sa.ForeignKey("inspections.key"), nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("path", sa.Text),
    sa.Column("value", sa.Text),
    sa.Column("snapshot", sa.LargeBinary),
    sa.Column("mac", sa.LargeBinary, nullable=False),
    sa.Index("audit_by_inspection", "ins", "seq"),
    sqlite_autoincrement=True,
)

#: evidence (photos, files, drawn signatures): the bytes once, by their SHA-256, never changed
#: or removed; the record holds each attachment's hash, so the trail and the seal cover it
blobs = sa.Table(
    "blobs", metadata,
    sa.Column("sha256", sa.Text, primary_key=True),
    sa.Column("mime", sa.Text, nullable=False),
    sa.Column("size", _ID, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("user", sa.Text, nullable=False),
)

#: trainees' answers to the training exercises: one row per person and exercise (the first
#: answer counts), kept like the trail: never changed or removed
answers = sa.Table(
    "answers", metadata,
    sa.Column("seq", _ID, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("exercise", sa.Text, nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    sa.UniqueConstraint("user", "exercise", name="answers_once"),
    sqlite_autoincrement=True,
)

#: the office's register of companies: each company's current row (its register entry as
#: canonical JSON); ``version`` is the trail entry that wrote it
companies = sa.Table(
    "companies", metadata,
    sa.Column("credit_code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("doc", sa.Text, nullable=False),
    sa.Column("version", _ID, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
)

#: every change to the register: who, when, which company, its row before (none: new) and
#: after; append-only, like the inspections' trail
company_trail = sa.Table(
    "company_trail", metadata,
    sa.Column("seq", _ID, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("credit_code", sa.Text, nullable=False),
    sa.Column("old", sa.Text),
    sa.Column("new", sa.Text),
    sa.Column("mac", sa.LargeBinary),  # chained per company (schema 12); the database wants one
    sa.Index("company_trail_by_code", "credit_code", "seq"),
    sqlite_autoincrement=True,
)

#: the year's plan as saved: one row per line, ``id`` ``<year>-<no>`` (``2027-014``), never
#: reused; ``key`` the company it plans (its credit code, else its name), one line per company
#: and year; ``doc`` the line (canonical JSON); ``inspection_id`` the inspection made from it
#: (the line is done), set once; ``version`` the trail entry that wrote the row
plan_lines = sa.Table(
    "plan_lines", metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("no", sa.Integer, nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("doc", sa.Text, nullable=False),
    sa.Column("inspection_id", sa.Text, unique=True),
    sa.Column("version", _ID, nullable=False),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("updated_by", sa.Text, nullable=False),
    sa.UniqueConstraint("year", "key", name="plan_lines_one_per_company"),
    sa.Index("plan_lines_by_year", "year", "no", unique=True),
)

#: every change to the saved plans: who, when, which line, its row before (none: new) and
#: after, and the inspection it was done by; append-only, like the register's trail
plan_trail = sa.Table(
    "plan_trail", metadata,
    sa.Column("seq", _ID, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("line_id", sa.Text, nullable=False),
    sa.Column("old", sa.Text),
    sa.Column("new", sa.Text),
    sa.Column("inspection_id", sa.Text),
    sa.Column("mac", sa.LargeBinary),  # chained per line (schema 12); the database wants one
    sa.Index("plan_trail_by_line", "line_id", "seq"),
    sa.Index("plan_trail_by_year", "year", "seq"),
    sqlite_autoincrement=True,
)

#: each reminder mail sent (kit remind): at most one per finding, deadline (the one in force
#: then) and kind, ``before`` the deadline or ``after`` it passed; ``recipients`` the addresses
#: (JSON list), ``sent_on`` the working day it was for (Beijing), ``at`` when (UTC); never
#: changed or removed
reminders = sa.Table(
    "reminders", metadata,
    sa.Column("seq", _ID, primary_key=True, autoincrement=True),
    sa.Column("inspection_id", sa.Text, nullable=False),
    sa.Column("finding", sa.Text, nullable=False),
    sa.Column("deadline", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("sent_on", sa.Text, nullable=False),
    sa.Column("recipients", sa.Text, nullable=False),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("user", sa.Text, nullable=False),
    sa.UniqueConstraint("inspection_id", "finding", "deadline", "kind", name="reminders_once"),
    sa.CheckConstraint("kind IN ('before', 'after')", name="reminders_kind"),
    sqlite_autoincrement=True,
)

_APPEND_ONLY = "审计记录只能追加，不能修改或删除 / the audit trail is append-only"
_IN_ORDER = ("审计记录的时间不能早于上一条，也不能偏离数据库时钟 / an audit entry cannot be "
             "back-dated or far from the database's clock")
_AUDITED = ("当前值的每次修改都须有对应的审计记录 / a current value changes only with its "
            "audit entry")
_HEAD = "检查记录的链头须为最后一条审计记录 / an inspection's head is its last audit entry"
_SOFT = "检查记录只能标记删除 / inspections are only marked deleted"
_KEPT = "证据材料一经保存不能修改或删除 / evidence once kept is never changed or removed"
_ANSWERED = "学员的作答一经保存不能修改或删除 / a trainee's answer once kept is never changed"
_REGISTER_TRAIL = ("企业名录的修改记录只能追加，不能修改或删除 / the register's trail is "
                   "append-only")
_REGISTER_AUDITED = ("企业名录的每次修改都须有对应的修改记录 / a register row changes only with "
                     "its trail entry")
_REGISTER_KEPT = "企业名录中的企业不能删除 / a company is never deleted from the register"
_CHAINED = "修改记录须带有链条校验值 / every trail entry carries its chain's MAC"
_PLAN_TRAIL = "年度计划的修改记录只能追加，不能修改或删除 / the plan's trail is append-only"
_PLAN_AUDITED = ("年度计划每一行的每次修改都须有对应的修改记录 / a plan line changes only with its "
                 "trail entry")
_PLAN_KEPT = "年度计划的行不能删除 / a plan line is never deleted"
_PLAN_DONE = ("计划行一经建立检查记录，所记的检查记录不能更改 / a plan line's inspection, once "
              "made, never changes")
_REMINDED = "已发送的提醒记录不能修改或删除 / a reminder once recorded is never changed or removed"
_ORIGIN = "检查记录的创建信息不能修改 / who created an inspection is fixed"
#: how far an audit entry's time may be from the database's clock, in minutes
CLOCK_TOLERANCE_MIN: Final = 5

#: name -> what it protects, for the report of a database whose protections are gone
PROTECTIONS: Final = {
    "audit_no_update": "审计记录不能修改 / no audit entry is changed",
    "audit_no_delete": "审计记录不能删除 / no audit entry is deleted",
    "audit_in_order": "审计记录不能倒签 / no audit entry is back-dated",
    "fields_insert_audited": "新值须有审计记录 / no value is added without its entry",
    "fields_update_audited": "改值须有审计记录 / no value is changed without its entry",
    "fields_delete_audited": "删值须有审计记录 / no value is removed without its entry",
    "inspections_head_is_last": "链头为最后一条记录 / the chain head is the last entry",
    "inspections_soft_delete_only": "检查记录只能标记删除 / inspections are only marked deleted",
    "inspections_keep_origin": "创建信息不能修改 / who created an inspection is fixed",
    "blobs_no_update": "证据材料不能修改 / no piece of evidence is changed",
    "blobs_no_delete": "证据材料不能删除 / no piece of evidence is removed",
    "answers_no_update": "作答不能修改 / no trainee's answer is changed",
    "answers_no_delete": "作答不能删除 / no trainee's answer is removed",
    "company_trail_no_update": "名录修改记录不能修改 / no register trail entry is changed",
    "company_trail_no_delete": "名录修改记录不能删除 / no register trail entry is deleted",
    "company_trail_chained": "名录修改记录须有校验值 / every register trail entry is chained",
    "companies_insert_audited": "名录新企业须有修改记录 / no company is added without its entry",
    "companies_update_audited": "名录改动须有修改记录 / no company is changed without its entry",
    "companies_no_delete": "名录企业不能删除 / no company is deleted from the register",
    "plan_trail_no_update": "计划修改记录不能修改 / no plan trail entry is changed",
    "plan_trail_no_delete": "计划修改记录不能删除 / no plan trail entry is deleted",
    "plan_trail_chained": "计划修改记录须有校验值 / every plan trail entry is chained",
    "plan_lines_insert_audited": "新计划行须有修改记录 / no plan line is added without its entry",
    "plan_lines_update_audited": "计划行改动须有修改记录 / no plan line is changed without its "
                                 "entry",
    "plan_lines_no_delete": "计划行不能删除 / no plan line is deleted",
    "plan_lines_done_kept": "已建检查记录的计划行不能改记 / a done line keeps its inspection",
    "reminders_no_update": "提醒记录不能修改 / no reminder sent is changed",
    "reminders_no_delete": "提醒记录不能删除 / no reminder sent is removed",
}

#: a register row's trail entry: the one its version names, for its company, with its row
_COMPANY_ENTRY = ("EXISTS (SELECT 1 FROM company_trail t WHERE t.seq = NEW.version AND "
                  "t.credit_code = NEW.credit_code AND t.new = NEW.doc)")

#: a plan line's trail entry: the one its version names, for this line, with its row and its
#: inspection (SQLite's IS, PostgreSQL's IS NOT DISTINCT FROM: both equal when both are NULL)
_PLAN_ENTRY = ("EXISTS (SELECT 1 FROM plan_trail t WHERE t.seq = NEW.version AND t.line_id = "
               "NEW.id AND t.new = NEW.doc AND t.inspection_id {same} NEW.inspection_id)")
#: the columns that say which line of which year it is, never changed
_PLAN_FIXED = ("NEW.id {differ} OLD.id OR NEW.year {differ} OLD.year OR NEW.no {differ} OLD.no "
               "OR NEW.key {differ} OLD.key OR NEW.version <= OLD.version")

_SQLITE_WHEN = {
    "blobs_no_update": ("BEFORE UPDATE ON blobs", _KEPT),
    "blobs_no_delete": ("BEFORE DELETE ON blobs", _KEPT),
    "answers_no_update": ("BEFORE UPDATE ON answers", _ANSWERED),
    "answers_no_delete": ("BEFORE DELETE ON answers", _ANSWERED),
    "company_trail_no_update": ("BEFORE UPDATE ON company_trail", _REGISTER_TRAIL),
    "company_trail_no_delete": ("BEFORE DELETE ON company_trail", _REGISTER_TRAIL),
    "company_trail_chained": ("BEFORE INSERT ON company_trail WHEN NEW.mac IS NULL", _CHAINED),
    "companies_insert_audited": (f"BEFORE INSERT ON companies WHEN NOT {_COMPANY_ENTRY}",
                                 _REGISTER_AUDITED),
    "companies_update_audited": (
        "BEFORE UPDATE ON companies WHEN NEW.credit_code != OLD.credit_code OR NEW.version <= "
        f"OLD.version OR NOT {_COMPANY_ENTRY}", _REGISTER_AUDITED),
    "companies_no_delete": ("BEFORE DELETE ON companies", _REGISTER_KEPT),
    "plan_trail_no_update": ("BEFORE UPDATE ON plan_trail", _PLAN_TRAIL),
    "plan_trail_no_delete": ("BEFORE DELETE ON plan_trail", _PLAN_TRAIL),
    "plan_trail_chained": ("BEFORE INSERT ON plan_trail WHEN NEW.mac IS NULL", _CHAINED),
    "plan_lines_insert_audited": (
        f"BEFORE INSERT ON plan_lines WHEN NOT {_PLAN_ENTRY.format(same='IS')}", _PLAN_AUDITED),
    "plan_lines_update_audited": (
        f"BEFORE UPDATE ON plan_lines WHEN {_PLAN_FIXED.format(differ='IS NOT')} OR NOT "
        f"{_PLAN_ENTRY.format(same='IS')}", _PLAN_AUDITED),
    "plan_lines_no_delete": ("BEFORE DELETE ON plan_lines", _PLAN_KEPT),
    "plan_lines_done_kept": (
        "BEFORE UPDATE ON plan_lines WHEN OLD.inspection_id IS NOT NULL AND "
        "NEW.inspection_id IS NOT OLD.inspection_id", _PLAN_DONE),
    "reminders_no_update": ("BEFORE UPDATE ON reminders", _REMINDED),
    "reminders_no_delete": ("BEFORE DELETE ON reminders", _REMINDED),
    "audit_in_order": (
        "BEFORE INSERT ON audit WHEN NEW.at < COALESCE((SELECT a.at FROM audit a "
        "WHERE a.ins = NEW.ins ORDER BY a.seq DESC LIMIT 1), '') "
        f"OR julianday(NEW.at) > julianday('now') + {CLOCK_TOLERANCE_MIN}/1440.0 "
        f"OR julianday(NEW.at) < julianday('now') - {CLOCK_TOLERANCE_MIN}/1440.0 "
        "OR julianday(NEW.at) IS NULL", _IN_ORDER),
    "fields_insert_audited": (
        "BEFORE INSERT ON fields WHEN NOT EXISTS (SELECT 1 FROM audit a WHERE a.seq = "
        "NEW.version AND a.ins = NEW.ins AND ((a.path = NEW.path AND a.value = NEW.value) OR "
        "(a.path IS NULL AND a.snapshot IS NOT NULL)))", _AUDITED),
    "fields_update_audited": (
        "BEFORE UPDATE ON fields WHEN NEW.ins != OLD.ins OR NEW.path != OLD.path OR "
        "NEW.version <= OLD.version OR NOT EXISTS (SELECT 1 FROM audit a WHERE a.seq = "
        "NEW.version AND a.ins = NEW.ins AND a.path = NEW.path AND a.value = NEW.value)",
        _AUDITED),
    "fields_delete_audited": (
        "BEFORE DELETE ON fields WHEN NOT EXISTS (SELECT 1 FROM audit a WHERE a.ins = OLD.ins "
        "AND a.seq > OLD.version AND a.path = OLD.path AND a.value IS NULL)", _AUDITED),
    "inspections_head_is_last": (
        "BEFORE UPDATE ON inspections WHEN NEW.head_seq != (SELECT max(a.seq) FROM audit a "
        "WHERE a.ins = NEW.key) OR NEW.head_mac != (SELECT a.mac FROM audit a WHERE a.seq = "
        "NEW.head_seq) OR NEW.head_seq < OLD.head_seq OR (NEW.deleted != OLD.deleted AND "
        "(SELECT a.action FROM audit a WHERE a.seq = NEW.head_seq) NOT IN ('delete', "
        "'restore'))", _HEAD),
    "audit_no_update": ("BEFORE UPDATE ON audit", _APPEND_ONLY),
    "audit_no_delete": ("BEFORE DELETE ON audit", _APPEND_ONLY),
    "inspections_soft_delete_only": ("BEFORE DELETE ON inspections", _SOFT),
    "inspections_keep_origin": (
        "BEFORE UPDATE OF key, id, created_at, created_by ON inspections WHEN NEW.key != "
        "OLD.key OR NEW.id != OLD.id OR NEW.created_at != OLD.created_at OR NEW.created_by "
        "!= OLD.created_by", _ORIGIN),
}


def sqlite_triggers() -> list[str]:
    """The CREATE TRIGGER statements of the protections on SQLite."""
    return [f"CREATE TRIGGER {name} {when} BEGIN SELECT RAISE(ABORT, "
            f"'{why.replace(chr(39), chr(39) * 2)}'); END"
            for name, (when, why) in _SQLITE_WHEN.items()]


# PostgreSQL: one function per protection, raising with the same message as on SQLite.
_PG_CHECKS = {
    "blobs_no_update": ("blobs", "BEFORE UPDATE", "TRUE", _KEPT),
    "blobs_no_delete": ("blobs", "BEFORE DELETE", "TRUE", _KEPT),
    "answers_no_update": ("answers", "BEFORE UPDATE", "TRUE", _ANSWERED),
    "answers_no_delete": ("answers", "BEFORE DELETE", "TRUE", _ANSWERED),
    "company_trail_no_update": ("company_trail", "BEFORE UPDATE", "TRUE", _REGISTER_TRAIL),
    "company_trail_no_delete": ("company_trail", "BEFORE DELETE", "TRUE", _REGISTER_TRAIL),
    "company_trail_chained": ("company_trail", "BEFORE INSERT", "NEW.mac IS NULL", _CHAINED),
    "companies_insert_audited": ("companies", "BEFORE INSERT", f"NOT {_COMPANY_ENTRY}",
                                 _REGISTER_AUDITED),
    "companies_update_audited": (
        "companies", "BEFORE UPDATE", "NEW.credit_code <> OLD.credit_code OR NEW.version <= "
        f"OLD.version OR NOT {_COMPANY_ENTRY}", _REGISTER_AUDITED),
    "companies_no_delete": ("companies", "BEFORE DELETE", "TRUE", _REGISTER_KEPT),
    "plan_trail_no_update": ("plan_trail", "BEFORE UPDATE", "TRUE", _PLAN_TRAIL),
    "plan_trail_no_delete": ("plan_trail", "BEFORE DELETE", "TRUE", _PLAN_TRAIL),
    "plan_trail_chained": ("plan_trail", "BEFORE INSERT", "NEW.mac IS NULL", _CHAINED),
    "plan_lines_insert_audited": (
        "plan_lines", "BEFORE INSERT", f"NOT {_PLAN_ENTRY.format(same='IS NOT DISTINCT FROM')}",
        _PLAN_AUDITED),
    "plan_lines_update_audited": (
        "plan_lines", "BEFORE UPDATE",
        f"{_PLAN_FIXED.format(differ='IS DISTINCT FROM')} OR NOT "
        f"{_PLAN_ENTRY.format(same='IS NOT DISTINCT FROM')}", _PLAN_AUDITED),
    "plan_lines_no_delete": ("plan_lines", "BEFORE DELETE", "TRUE", _PLAN_KEPT),
    "plan_lines_done_kept": (
        "plan_lines", "BEFORE UPDATE",
        "OLD.inspection_id IS NOT NULL AND NEW.inspection_id IS DISTINCT FROM "
        "OLD.inspection_id", _PLAN_DONE),
    "reminders_no_update": ("reminders", "BEFORE UPDATE", "TRUE", _REMINDED),
    "reminders_no_delete": ("reminders", "BEFORE DELETE", "TRUE", _REMINDED),
    "audit_no_update": ("audit", "BEFORE UPDATE", "TRUE", _APPEND_ONLY),
    "audit_no_delete": ("audit", "BEFORE DELETE", "TRUE", _APPEND_ONLY),
    "audit_in_order": (
        "audit", "BEFORE INSERT",
        "NEW.at < COALESCE((SELECT a.at FROM audit a WHERE a.ins = NEW.ins ORDER BY a.seq DESC "
        "LIMIT 1), '') OR abs(extract(epoch FROM (NEW.at::timestamptz - clock_timestamp()))) "
        f"> {CLOCK_TOLERANCE_MIN * 60}", _IN_ORDER),
    "fields_insert_audited": (
        "fields", "BEFORE INSERT",
        "NOT EXISTS (SELECT 1 FROM audit a WHERE a.seq = NEW.version AND a.ins = NEW.ins AND "
        "((a.path = NEW.path AND a.value = NEW.value) OR (a.path IS NULL AND a.snapshot IS NOT "
        "NULL)))", _AUDITED),
    "fields_update_audited": (
        "fields", "BEFORE UPDATE",
        "NEW.ins <> OLD.ins OR NEW.path <> OLD.path OR NEW.version <= OLD.version OR NOT EXISTS "
        "(SELECT 1 FROM audit a WHERE a.seq = NEW.version AND a.ins = NEW.ins AND a.path = "
        "NEW.path AND a.value = NEW.value)", _AUDITED),
    "fields_delete_audited": (
        "fields", "BEFORE DELETE",
        "NOT EXISTS (SELECT 1 FROM audit a WHERE a.ins = OLD.ins AND a.seq > OLD.version AND "
        "a.path = OLD.path AND a.value IS NULL)", _AUDITED),
    "inspections_head_is_last": (
        "inspections", "BEFORE UPDATE",
        "NEW.head_seq IS DISTINCT FROM (SELECT max(a.seq) FROM audit a WHERE a.ins = NEW.key) "
        "OR NEW.head_mac IS DISTINCT FROM (SELECT a.mac FROM audit a WHERE a.seq = "
        "NEW.head_seq) OR NEW.head_seq < OLD.head_seq OR (NEW.deleted <> OLD.deleted AND "
        "(SELECT a.action FROM audit a WHERE a.seq = NEW.head_seq) NOT IN ('delete', "
        "'restore'))", _HEAD),
    "inspections_soft_delete_only": ("inspections", "BEFORE DELETE", "TRUE", _SOFT),
    "inspections_keep_origin": (
        "inspections", "BEFORE UPDATE",
        "NEW.key <> OLD.key OR NEW.id <> OLD.id OR NEW.created_at <> OLD.created_at OR "
        "NEW.created_by <> OLD.created_by", _ORIGIN),
}


def postgres_triggers() -> list[str]:
    """The functions and triggers of the protections on PostgreSQL."""
    out = []
    for name, (table, when, condition, why) in _PG_CHECKS.items():
        row = "OLD" if "DELETE" in when else "NEW"
        message = why.replace("'", "''")
        out.append(
            f"CREATE OR REPLACE FUNCTION kit_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN IF {condition} THEN RAISE EXCEPTION '{message}' USING ERRCODE = '23514'; "
            f"END IF; RETURN {row}; END $$")
        out.append(f"CREATE TRIGGER {name} {when} ON {table} FOR EACH ROW "
                   f"EXECUTE FUNCTION kit_{name}()")
    return out


def quoted(name: str) -> str:
    """A PostgreSQL identifier in double quotes (a role or schema name as it is)."""
    return '"' + name.replace('"', '""') + '"'


def postgres_grants(role: str, schema: str = "public") -> list[str]:
    """What the kit's own role may do on PostgreSQL: read and append, never rewrite the trail."""
    r, s = quoted(role), quoted(schema)
    return [
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT, INSERT ON {s}.audit TO {r}",
        f"GRANT SELECT, INSERT, UPDATE ON {s}.inspections TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {s}.fields TO {r}",
        f"GRANT SELECT, INSERT ON {s}.blobs TO {r}",
        f"GRANT SELECT, INSERT ON {s}.answers TO {r}",
        f"GRANT SELECT, INSERT, UPDATE ON {s}.companies TO {r}",
        f"GRANT SELECT, INSERT ON {s}.company_trail TO {r}",
        f"GRANT SELECT, INSERT, UPDATE ON {s}.plan_lines TO {r}",
        f"GRANT SELECT, INSERT ON {s}.plan_trail TO {r}",
        f"GRANT SELECT, INSERT ON {s}.reminders TO {r}",
        f"GRANT SELECT, INSERT, DELETE ON {s}.search_grams TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON {s}.team_users TO {r}",
        f"GRANT SELECT ON {s}.alembic_version TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
    ]


def _lacks_grants() -> str:
    """A query true when the connected role lacks a privilege :func:`postgres_grants` gives on
    a table (a store upgraded since ``kit db grant`` was run: a new table, or a new write)."""
    wanted = []
    for statement in postgres_grants("r", "s"):
        found = re.fullmatch(r'GRANT ([A-Z, ]+) ON "s"\.(\w+) TO "r"', statement)
        if found:
            wanted += [f"has_table_privilege('{found[2]}', '{priv.strip()}')"
                       for priv in found[1].split(",")]
    return "SELECT NOT (" + " AND ".join(wanted) + ")"


#: (what to ask PostgreSQL, what it means when true: Chinese, English) about the kit's role
ROLE_CHECKS: Final = (
    ("SELECT rolsuper FROM pg_roles WHERE rolname = current_user",
     "以超级用户身份连接", "connected as a superuser"),
    ("SELECT tableowner = current_user FROM pg_tables "
     "WHERE schemaname = current_schema() AND tablename = 'audit'",
     "以表的所有者身份连接（所有者可停用保护触发器）",
     "connected as the tables' owner, who can disable the protections"),
    ("SELECT has_table_privilege('audit', 'UPDATE') OR has_table_privilege('audit', 'DELETE') "
     "OR has_table_privilege('audit', 'TRUNCATE')",
     "该角色可以修改或删除审计记录", "the role may update, delete or truncate the trail"),
    (_lacks_grants(),
     "该角色缺少工具包读写所需的权限（数据库升级后须再运行 kit db grant 角色名）",
     "the role lacks a privilege the kit reads or writes with (after an upgrade, run kit db "
     "grant ROLE again)"),
)


def create_schema(cur: Any, dialect: sa.Dialect) -> None:
    """Create the tables and protections in an empty database (in the open transaction) and
    stamp its Alembic revision, so that ``kit db upgrade`` knows where it stands."""
    for table in metadata.sorted_tables:
        cur.execute(str(CreateTable(table).compile(dialect=dialect)))
        for index in table.indexes:
            cur.execute(str(CreateIndex(index).compile(dialect=dialect)))
    cur.execute(NOTICE_INDEX)
    for statement in (sqlite_triggers() if dialect.name == "sqlite" else
                      postgres_triggers() if dialect.name == "postgresql" else []):
        cur.execute(statement)
    cur.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))")
    cur.execute(f"INSERT INTO alembic_version (version_num) VALUES ('{HEAD_REVISION}')")


def missing_protection_statements(bind: Any, names: Iterable[str]) -> list[str]:
    """The statements that create those of the protections ``names`` a database lacks: what a
    migration adding protections runs (a store upgraded from schema 1 in the same run already
    has them, since 0002 builds every protection of the current definitions)."""
    present = set(protection_names(bind))
    wanted = [n for n in names if n not in present]
    if bind.dialect.name == "sqlite":
        return [s for s in sqlite_triggers() if any(f"TRIGGER {n} " in s for n in wanted)]
    if bind.dialect.name == "postgresql":  # each: its function, then its trigger
        return [s for s in postgres_triggers() if any(f"kit_{n}()" in s for n in wanted)]
    return []


def protection_names(bind: Any) -> list[str]:
    """The protections (trigger names) a SQLAlchemy connection's database has."""
    if bind.dialect.name == "sqlite":
        rows = bind.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    elif bind.dialect.name == "postgresql":
        rows = bind.exec_driver_sql(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN "
            "pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND "
            "n.nspname = current_schema()")
    else:
        return []
    return [r[0] for r in rows]


def missing_protections(conn: Any, dialect: str) -> list[str]:
    """The protections (trigger names) a database should have and does not."""
    if dialect == "sqlite":
        conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        rows = conn.fetchall()
    elif dialect == "postgresql":
        conn.execute("SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                     "JOIN pg_namespace n ON n.oid = c.relnamespace "
                     "WHERE NOT t.tgisinternal AND n.nspname = current_schema()")
        rows = conn.fetchall()
    else:
        return []
    present = {r[0] for r in rows}
    return [name for name in PROTECTIONS if name not in present]
