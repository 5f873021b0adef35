"""Four-eyes actions in the CLI need the named user's own credential, not just ``--as``: approving
a destruction list (and striking items with it), and lending a confidential paper original with
``--approved-by``. The password is typed at a hidden prompt, or a script gives that user's API
token in ``DOSSIER_TOKEN``. Real catalog (SQLite and PostgreSQL), the real ``dossier`` entry
point; the prompt is fed through click's test isolation (never the developer's terminal)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from dossier import localtime
from dossier.models import AccessEvent, DestructionList
from tests.audit_helpers import stored_documents
from tests.retention_helpers import add_retention_users, cli_token, store_document

H = "A-1-0101"


def typing(text: str, *args: str, token: str | None = None) -> tuple[int, str, str]:
    """``dossier ARGS`` with ``text`` typed at its prompts and DOSSIER_TOKEN set to ``token``
    (unset when None)."""
    from dossier.cli import main

    with CliRunner().isolation(input=text, env={"DOSSIER_TOKEN": token}) as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return code, out.getvalue().decode(), err.getvalue().decode()


def _status(archive, number: str) -> str:
    with archive.session() as session:
        return session.scalar(select(DestructionList.status).where(DestructionList.number == number))


@pytest.fixture
def proposed(archive, run_cli):
    add_retention_users(archive)
    assert run_cli("household", "add", H, "--owner", "张三").exit_code == 0
    docs = [store_document(archive, H, "repair", date(2015, 1, d), title=f"报修 {d}") for d in (1, 2)]
    result = run_cli("--as", "keeper", "retention", "propose", "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()["number"], docs


def test_approving_a_list_as_an_officer_without_their_credential_is_refused(archive, proposed):
    number, _ = proposed
    code, out, err = typing("", "--as", "officer", "retention", "approve", number)  # no password typed
    assert code == 5 and out == ""
    assert err.strip().splitlines()[-1] == (
        f"dossier：错误：审批销毁清册 {number}：需要 officer 的凭据，请在提示处输入其密码，"
        "或将 DOSSIER_TOKEN 设为其 API 令牌"
    )
    code, _, err = typing("keeper-password-1\n", "--as", "officer", "retention", "approve", number)
    assert code == 5 and "不属于启用中的用户 officer" in err
    code, _, err = typing(
        "", "--as", "officer", "retention", "approve", number, token=cli_token(archive, "keeper")
    )
    assert code == 5 and "不属于启用中的用户 officer" in err
    assert _status(archive, number) == "proposed"
    with archive.session() as session:  # each refusal is on record, with who tried
        refusals = session.execute(
            select(AccessEvent.username, AccessEvent.outcome, AccessEvent.detail).where(
                AccessEvent.action == "credential.check"
            )
        ).all()
    assert [(u, o) for u, o, _ in refusals] == [("officer", "denied")] * 2
    assert json.loads(refusals[0][2]) == {"user": "officer", "action": f"审批销毁清册 {number}"}


def test_the_officers_password_at_the_hidden_prompt_approves_and_strikes(archive, proposed):
    number, docs = proposed
    code, out, err = typing(
        "officer-password-1\n",
        "--as",
        "officer",
        "retention",
        "approve",
        number,
        "--exclude",
        str(docs[1]),
        "--reason",
        "业主投诉未结",
        "--json",
    )
    assert code == 0, err
    assert "officer 的密码" in err and "officer-password-1" not in err + out  # asked, not echoed
    view = json.loads(out)
    assert view["status"] == "approved" and view["approved_by"] == "officer" and view["counts"]["struck"] == 1


def test_a_script_approves_with_the_officers_token_and_a_revoked_token_no_longer_works(
    archive, proposed, run_cli
):
    number, _ = proposed
    token = cli_token(archive, "officer")
    assert run_cli("user", "disable", "officer").exit_code == 0  # revokes every token too
    code, _, err = typing("", "--as", "officer", "retention", "approve", number, token=token)
    assert code == 5 and _status(archive, number) == "proposed"
    with archive.session() as session:
        from dossier.services.users import get_user

        get_user(session, "officer").active = True
    code, _, err = typing("", "--as", "officer", "retention", "approve", number, token=token)
    assert code == 5, "a token revoked with its user's deactivation stays revoked"
    code, out, err = typing(
        "", "--as", "officer", "retention", "approve", number, token=cli_token(archive, "officer")
    )
    assert code == 0, err
    assert "password" not in err and _status(archive, number) == "approved"


def test_lending_a_confidential_original_needs_the_approvers_own_credential(
    archive, console, tmp_path, run_cli
):
    from dossier.services.users import add_user

    (secret,) = stored_documents(archive, console, tmp_path, ["身份证复印件"], confidential=True)
    with archive.session() as session:
        add_user(session, console, "arc", "archivist", "arc-password-1")
        add_user(session, console, "off", "retention_officer", "off-password-1")
    assert (
        run_cli("--as", "arc", "doc", "paper", str(secret), "--cabinet", "C-3", "--box", "B-08").exit_code
        == 0
    )
    due = (localtime.today() + timedelta(days=7)).isoformat()
    lend = (
        "--as",
        "arc",
        "loan",
        "out",
        str(secret),
        "--to",
        "审计组",
        "--due",
        due,
        "--approved-by",
        "off",
        "--json",
    )

    code, _, err = typing("arc-password-1\n", *lend)  # the lender's password is not the approver's
    assert code == 5 and "不属于启用中的用户 off" in err
    code, _, err = typing("", *lend, token=cli_token(archive, "arc"))
    assert code == 5 and "不属于启用中的用户 off" in err
    with archive.session() as session:
        assert session.scalars(select(AccessEvent.action).where(AccessEvent.action == "loan.out")).all() == []

    code, out, err = typing("off-password-1\n", *lend)
    assert code == 0, err
    assert json.loads(out)["approved_by"] == "off" and "off 的密码" in err
