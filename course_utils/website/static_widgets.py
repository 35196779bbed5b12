"""Turn an executed notebook into a page that needs no kernel: live widgets become static pictures.

Executed with ``store_widget_state=True``, a notebook keeps each widget's state in its metadata
(an Output widget keeps what was displayed in it). :func:`freeze_widgets` replaces every widget
view by HTML: a note that the live version is in JupyterLab, the controls' values, the widget's
text and the figures it showed, and drops the widget state (so the page loads no widget manager).
:data:`ALT_TEXT_HOOK` is run in the kernel before the notebook so that every matplotlib figure
carries alt text made from its titles and axis labels.
"""

from __future__ import annotations

import html

import nbformat

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
NOTE = (
    "Static picture of an interactive widget in the state this notebook left it. "
    "The live version, with controls that redraw the figure, is in JupyterLab "
    "(<code>python3 course.py lab</code>)."
)

# Runs in the kernel (a hidden first cell): wraps the PNG formatter of matplotlib figures so that
# each figure's display carries metadata {"alt": ...}. ``%matplotlib inline`` resets the formatter,
# so the wrap is renewed before every cell and before the inline backend flushes its figures.
ALT_TEXT_HOOK = r"""
def _course_alt_text_hook():
    import re
    from matplotlib.figure import Figure
    ip = get_ipython()
    def describe(fig):
        def clean(s):
            return re.sub(r"[$\\{}]", "", s).strip()
        parts = []
        suptitle = getattr(fig, "_suptitle", None)
        if suptitle is not None and suptitle.get_text():
            parts.append(clean(suptitle.get_text()))
        for ax in fig.axes:
            bits = [clean(t) for t in (ax.get_title(), ax.get_title("left")) if t]
            for axis, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())):
                if label:
                    bits.append(f"{axis}: {clean(label)}")
            if bits:
                parts.append(", ".join(bits))
        return "Figure. " + ("; ".join(parts) if parts else "A plot without titles.")
    def wrap(*_):
        formatter = ip.display_formatter.formatters["image/png"]
        original = formatter.lookup_by_type(Figure) if Figure in formatter else None
        if original is None or getattr(original, "_course_alt", False):
            return
        def with_alt(fig):
            data = original(fig)
            return (data, {"alt": describe(fig)}) if data is not None else None
        with_alt._course_alt = True
        formatter.for_type(Figure, with_alt)
    ip.events.register("pre_run_cell", wrap)
    ip.events.register("post_execute", wrap)
_course_alt_text_hook()
del _course_alt_text_hook
"""


def _model(state: dict, ref) -> dict:
    key = ref[len("IPY_MODEL_") :] if isinstance(ref, str) and ref.startswith("IPY_MODEL_") else ref
    return state.get(key, {})


def _control_value(s: dict) -> str | None:
    if "_options_labels" in s:
        labels, index = s["_options_labels"], s.get("index")
        chosen = index if isinstance(index, list) else [index]
        return ", ".join(labels[i] for i in chosen if isinstance(i, int) and i < len(labels))
    value = s.get("value")
    if isinstance(value, float):
        return f"{value:.3g}"
    return None if value is None or isinstance(value, str) and "<" in value else str(value)


def _image(data: str, alt: str) -> str:
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'


def _walk(state: dict, model: dict, controls: list, parts: list) -> None:
    s, name = model.get("state", {}), model.get("model_name", "")
    for ref in s.get("children", []):
        _walk(state, _model(state, ref), controls, parts)
    if name == "OutputModel":
        for out in s.get("outputs", []):
            data = out.get("data", {})
            if "image/png" in data:
                meta = out.get("metadata", {})
                alt = (
                    meta.get("image/png", {}).get("alt")
                    or meta.get("alt")
                    or "Figure drawn by the widget."
                )
                parts.append(_image(data["image/png"], alt))
            elif "text/html" in data:
                parts.append(str(data["text/html"]))
            elif "text" in out or "text/plain" in data:
                parts.append(f"<pre>{html.escape(out.get('text') or data['text/plain'])}</pre>")
    elif name in ("HTMLModel", "HTMLMathModel", "LabelModel"):
        parts.append(f"<div>{s.get('value', '')}</div>")
    elif s.get("description") is not None and name.endswith(("SliderModel", "DropdownModel",
                                                             "SelectMultipleModel", "TextModel",
                                                             "CheckboxModel", "ToggleButtonsModel")):  # fmt: skip
        value = _control_value(s)
        if value is not None:
            controls.append(f"{html.escape(s['description'])} = {html.escape(value)}")


def static_view(state: dict, model_id: str, text: str = "") -> str:
    """HTML for the widget ``model_id``: the note, its controls' values, its text and figures.

    A widget without controls (a progress bar) is no live widget: it becomes its plain ``text``
    its HTML parts as the notebook left them (or the output's text/plain), without the note.
    """
    controls: list[str] = []
    parts: list[str] = []
    _walk(state, state.get(model_id, {}), controls, parts)
    if not controls:
        shown = "\n".join(parts) if parts else f"<pre>{html.escape(text)}</pre>"
        return f"<div class='static-output'>{shown}</div>"
    listed = f"<p class='widget-controls'>Controls: {'; '.join(controls)}.</p>"
    return (
        f"<div class='static-widget'><p class='widget-note'>{NOTE}</p>{listed}"
        + "\n".join(parts)
        + "</div>"
    )


def freeze_widgets(nb: nbformat.NotebookNode) -> int:
    """Replace every widget view in ``nb`` by :func:`static_view`; return how many were live."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    count = 0
    for cell in nb.cells:
        for i, out in enumerate(cell.get("outputs", [])):
            view = out.get("data", {}).get(WIDGET_VIEW)
            if view is None:
                continue
            text = str(out["data"].get("text/plain", ""))
            frozen = static_view(state, view["model_id"], text)
            cell.outputs[i] = nbformat.v4.new_output("display_data", data={"text/html": frozen})
            count += "static-widget" in frozen
    nb.metadata.pop("widgets", None)
    return count


def count_figures(nb: nbformat.NotebookNode) -> int:
    """PNG figures in the cells' outputs and inside the widgets' saved Output widgets."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    outputs += [o for m in state.values() for o in m.get("state", {}).get("outputs", [])]
    return sum("image/png" in o.get("data", {}) for o in outputs)
