"""`dms-hub demo seed` (the compose stack's demo profile): the demo's data in
the database, and the demo's customers, materials and stock taught to
simulators through their control APIs over HTTP."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from hub.bootstrap import bootstrap
from hub.cli import main
from hub.db.migrate import upgrade
from hub.db.schema import dealers, invoices, statements, users
from hub.demo import DEMO_DEALERS, DEMO_WAREHOUSES, PRODUCTS, customer_code
from hub.demo_ledger import DEMO_LEDGER_DEALER, INVOICES
from simulators.flux_wms import running_simulator as running_wms
from simulators.generic_erp.server import running_simulator as running_erp
from tests.conftest import make_settings


def test_seed_fills_the_database_and_teaches_both_simulators(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    container = bootstrap(make_settings(url))
    upgrade(container.db)
    monkeypatch.setenv("DMS_DATABASE_URL", url)
    monkeypatch.setenv("DMS_ENV", "development")
    with running_erp() as erp, running_wms() as wms:
        wms_root = wms.url.split("/datahub/")[0]
        code = main(
            [
                "demo",
                "seed",
                "--erp-control",
                erp.url,
                "--wms-control",
                wms_root,
                "--hub-url",
                "http://api:8000",
            ]
        )
        assert code == 0, capsys.readouterr().err
        customers, materials = erp.control.master_data()
        for dealer_code, name, *_ in DEMO_DEALERS:
            assert customers[customer_code(dealer_code)] == name
        assert {p[-1] for p in PRODUCTS} <= set(materials)
        for warehouse in DEMO_WAREHOUSES:
            assert wms.control.stock(warehouse, PRODUCTS[0][0]) == (500, 0)
        assert wms.control.pusher.url == "http://api:8000/api/v1/wms/wms/confirmations"
    with container.db.read() as conn:
        assert conn.scalar(select(func.count()).select_from(dealers)) == len(DEMO_DEALERS)
        assert conn.scalar(select(users.c.role).where(users.c.username == "admin")) == "admin"
        # D001's demo ledger: two issued statements to confirm or dispute.
        issued = conn.scalars(
            select(statements.c.status).where(statements.c.dealer_code == DEMO_LEDGER_DEALER)
        ).all()
        assert issued == ["issued", "issued"]
        assert conn.scalar(select(func.count()).select_from(invoices)) == len(INVOICES)
    container.close()


def test_seed_is_refused_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DMS_DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    monkeypatch.setenv("DMS_ENV", "production")
    monkeypatch.setenv("DMS_SECRET_KEY", "p" * 48)
    assert main(["demo", "seed"]) == 2
    assert "refused when DMS_ENV=production" in capsys.readouterr().err
