"""The two charts of the HTML impact report, drawn by matplotlib and inlined as SVG (the page needs no network):
the annual cost per prestation before and after an amendment, and the distribution of the changes of amount."""

from __future__ import annotations

import io
from typing import Any

from explain import format as fmt
from usecases.impact import DecisionChange


def _figure_svg(figure) -> str:
    """A matplotlib figure as inline SVG (text kept as text, no external resource)."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight",
                   metadata={"Date": None, "Creator": None, "Format": None, "Type": None})
    plt.close(figure)
    svg = buffer.getvalue()
    return svg[svg.index("<svg"):]


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.fonttype": "none", "font.size": 10, "font.family": "DejaVu Sans",
                         "svg.hashsalt": "prevoyance"})
    return plt


def _fcfa_axis(value: float, _position: int) -> str:
    return fmt.nombre(int(value))


def cost_chart(prestations: list[dict[str, Any]]) -> str:
    """Annual cost per prestation, before and after the amendment: horizontal bars (SVG)."""
    shown = [b for b in prestations if b["annuel"][0] or b["annuel"][1]]
    if not shown:
        return "<p>Aucune prestation accordée : aucun coût à comparer.</p>"
    plt = _pyplot()
    from matplotlib.ticker import FuncFormatter

    figure, axes = plt.subplots(figsize=(10, 1.2 + 0.8 * len(shown)))
    positions = range(len(shown))
    axes.barh([p - 0.2 for p in positions], [b["annuel"][0] for b in shown], height=0.4, color="#9aa9bb",
              label="avant l'amendement")
    axes.barh([p + 0.2 for p in positions], [b["annuel"][1] for b in shown], height=0.4, color="#1f5fa8",
              label="après l'amendement")
    axes.set_yticks(list(positions), [b["libelle"] for b in shown])
    axes.invert_yaxis()
    axes.xaxis.set_major_formatter(FuncFormatter(_fcfa_axis))
    axes.set_xlabel("coût annuel (FCFA)")
    for container in axes.containers:
        axes.bar_label(container, labels=[fmt.nombre(int(v)) for v in container.datavalues], padding=3, fontsize=8)
    axes.margins(x=0.15)
    axes.legend(loc="lower right", frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    return _figure_svg(figure)


def distribution_chart(changes: list[DecisionChange]) -> str:
    """How many prestations change by how much (FCFA, after − before): a histogram (SVG)."""
    ecarts = [c.ecart for c in changes if c.ecart]
    if not ecarts:
        if any(c.montants for c in changes):  # the arrears or the schedule changed, not the measuring amount
            return ("<p>Ni le montant mensuel ni le montant total ne changent ; les autres montants qui changent "
                    "sont dans « Tous les montants accordés ».</p>")
        return "<p>Aucun montant ne change.</p>"
    plt = _pyplot()
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    figure, axes = plt.subplots(figsize=(10, 3.6))
    distinct = sorted(set(ecarts))
    if len(distinct) <= 30:
        counts = [ecarts.count(v) for v in distinct]
        axes.bar([str(fmt.nombre(v)) for v in distinct], counts, color="#1f5fa8")
        axes.tick_params(axis="x", labelrotation=45 if len(distinct) > 8 else 0)
        for i, n in enumerate(counts):
            axes.annotate(fmt.nombre(n), (i, n), ha="center", va="bottom", fontsize=8)
    else:
        axes.hist(ecarts, bins=30, color="#1f5fa8")
        axes.xaxis.set_major_formatter(FuncFormatter(_fcfa_axis))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("variation du montant (FCFA, après − avant)")
    axes.set_ylabel("prestations")
    axes.spines[["top", "right"]].set_visible(False)
    return _figure_svg(figure)


