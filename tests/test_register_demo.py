"""A store with inspections but no register: the demo's companies enter the register (企业名录),
so the app's picker and the plan's lines know them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from kit.analytics import demo_inspections, load_demo_data
from kit.door import ANALYSTS, Door, Identity
from kit.interchange import demo_inspection, load_demo, register_entry, register_of
from kit.record import Company, Licence
from kit.store import Store


def test_a_records_company_is_listed_as_the_register_would_list_it():
    entry = register_entry(demo_inspection().company)
    company = demo_inspection().company
    assert (entry.credit_code, entry.name) == (company.credit_code, company.name)
    assert entry.region == "北京经济技术开发区"  # from the production address
    assert entry.licence_no == "京药监械生产许20150123号"
    assert entry.contracts  # it has a contract manufacturer (七、14 applies)
    assert [p.registration_no for p in entry.products] == [
        p.registration_no for p in company.products.values()]
    filed = Company(name="北京一类企业", credit_code="91110108MA01ABCD2X",
                    production_address="北京市海淀区某路1号",
                    licences={"L1": Licence("class1_production_filing", "京海药监械生产备20230001号",
                                            issued=date(2023, 3, 1))})
    entry = register_entry(filed)
    assert (entry.region, entry.filing_no, entry.filed_on, entry.contracts) == (
        "海淀区", "京海药监械生产备20230001号", date(2023, 3, 1), False)


def test_the_register_of_inspections_takes_each_companys_latest_and_no_supplier():
    made = demo_inspections(12, 4, seed=3)
    register = register_of(made)
    codes = {i.company.credit_code for i in made
             if i.company.role not in ("supplier", "service_provider")}
    assert sorted(c.credit_code for c in register) == sorted(codes)
    first = made[0]
    renamed = replace(first, company=replace(first.company, name="改名后的公司"),
                      scope=replace(first.scope, start_date=date(2099, 1, 1)))
    names = {c.credit_code: c.name for c in register_of([first, renamed])}
    assert names[first.company.credit_code] == "改名后的公司"


def test_the_demo_puts_its_companies_in_the_register_once(tmp_path):
    with Store(data_dir=tmp_path) as store:
        door = Door(store, Identity("张明"))
        load_demo(door)
        load_demo(door)
        assert [r.company.name for r in door.companies()] == ["北京示例医疗科技有限公司"]
        assert len(door.company_trail()) == 1  # the second load changed nothing
        assert load_demo_data(door, inspections=12, companies=4) == 12
        assert len(door.companies()) >= 4


def test_someone_who_may_not_write_the_register_still_gets_the_demo(tmp_path):
    with Store(data_dir=tmp_path) as store:
        Door(store, Identity("admin")).create(demo_inspection())
        analyst = Door(store, Identity("wang", frozenset({ANALYSTS}), hub=True))
        load_demo(analyst)  # the inspection is there; the register is an office leader's
        assert analyst.companies() == []
