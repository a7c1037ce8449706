from inventory.tests.power_fixtures import make_sim, pdu_password, pdu_sim, sim_outlet, sim_pdu  # noqa: F401
