import pytest

from coder.consent import require_research, require_show_to_parents
from coder.errors import ConsentError
from coder.model import Consent, Session


def test_parent_outputs_need_show_to_parents_consent() -> None:
    session = Session("s1", "Week 3", consent=Consent(treatment=True))
    with pytest.raises(ConsentError, match="Week 3.*no consent to show.*the parent handout"):
        require_show_to_parents(session, "the parent handout")
    require_show_to_parents(Session("s2", "x", consent=Consent(show_to_parents=True)), "a reel")


def test_research_exports_need_research_consent() -> None:
    with pytest.raises(ConsentError, match="no consent for research"):
        require_research(Session("s1", "Week 3"))
    require_research(Session("s2", "x", consent=Consent(research=True)))
