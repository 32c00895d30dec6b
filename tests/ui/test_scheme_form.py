"""The scheme editor's form: editing a table cell rewrites the YAML tab and is validated by
the scheme loader; adding a code in the form makes a valid code; the YAML tab feeds the form."""

from __future__ import annotations

from PySide6.QtWidgets import QTableWidgetItem

from coder.schemes import load_scheme_text, load_shipped
from ui.dialogs.scheme_editor import SchemeEditor


def test_form_and_yaml_stay_one_scheme(qtbot) -> None:  # type: ignore[no-untyped-def]
    text = load_shipped("attachment-core")[1]
    editor = SchemeEditor(text)
    qtbot.addWidget(editor)
    assert [editor.tabs.tabText(i) for i in range(editor.tabs.count())] == ["Form", "YAML"]
    sections = [editor.form.tabText(i) for i in range(editor.form.count())]
    assert sections == ["Codes", "Groups", "Ratings", "Segments", "Metrics"]
    codes = editor.tables["codes"]
    names = [codes.item(r, 0).text() for r in range(codes.rowCount())]
    row = names.index("Directing")
    codes.setItem(row, 0, QTableWidgetItem("Leading the play"))
    assert load_scheme_text(editor.editor.toPlainText(), "t").code("directing").name == (
        "Leading the play"
    )
    assert editor.status.text() == "Valid"
    # A key clash typed in the form is reported by the loader.
    codes.setItem(row, 1, QTableWidgetItem("f"))
    assert any(
        "key 'f' is already used" in editor.problems.item(i).text()
        for i in range(editor.problems.count())
    )
    assert not editor.save_button.isEnabled()
    codes.setItem(row, 1, QTableWidgetItem("d"))
    assert editor.save_button.isEnabled()
    # Ratings anchors in words.
    ratings = editor.tables["ratings"]
    ratings.setItem(0, 5, QTableWidgetItem("1=Cold; 7=Warm"))
    scheme = load_scheme_text(editor.editor.toPlainText(), "t")
    assert scheme.ratings[0].anchors == {1: "Cold", 7: "Warm"}
    # Add a code in the form: a valid new code the coder then names and keys.
    editor.add_row("codes", "Shared delight")
    assert codes.rowCount() == len(names) + 1
    codes.setItem(codes.rowCount() - 1, 1, QTableWidgetItem("j"))
    scheme = load_scheme_text(editor.editor.toPlainText(), "t")
    assert scheme.code("shared_delight").key == "j"
    # Typing YAML refills the form.
    editor.editor.setPlainText(text)
    editor.validate()
    assert codes.rowCount() == len(names) and codes.item(row, 0).text() == "Directing"
