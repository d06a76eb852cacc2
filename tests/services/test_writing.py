"""The registry's single-writer lock (registry/services/records/write_lock.py)."""
import pytest
from sqlalchemy.orm import Session

from registry.extensions import db
from registry.models import ChangeSet
from registry.services.records.write_lock import WriterBusy, begin_write
from tests.factories import in_english, row_counts


def test_a_second_writer_waits_then_gives_up_with_a_clear_error(session):
    holder = Session(db.engine)
    try:
        begin_write(holder)
        holder.add(ChangeSet(actor="holder", source="test"))
        holder.flush()
        with pytest.raises(WriterBusy) as caught:
            begin_write(session, wait_s=0.3)
        assert caught.value.status == 503
        assert "another import or edit" in in_english(caught.value.message)
        session.rollback()
    finally:
        holder.rollback()
        holder.close()
    assert row_counts(session)["ChangeSet"] == 0


def test_the_lock_is_free_again_once_the_holder_commits(session):
    holder = Session(db.engine)
    begin_write(holder)
    holder.add(ChangeSet(actor="holder", source="test"))
    holder.commit()
    holder.close()
    begin_write(session, wait_s=0.3)
    session.add(ChangeSet(actor="second", source="test"))
    session.commit()
    assert row_counts(session)["ChangeSet"] == 2


def test_taking_the_lock_twice_in_one_transaction_is_harmless(session):
    begin_write(session)
    session.add(ChangeSet(actor="me", source="test"))
    session.flush()
    begin_write(session, wait_s=0.3)
    session.commit()
    assert row_counts(session)["ChangeSet"] == 1
