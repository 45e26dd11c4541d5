"""Direction words: the Swedish words whose meaning is the sign of a number.

A chapter that writes "kostnaderna minskade med 990 tkr" states the sign twice,
once in the word and once in the number; the two can disagree. The chapter
helpers (bokslut.compose.chapters) choose the word from the shown number with
:data:`PAIRS`, and ``bokslut check`` (bokslut.checks.words) looks for the words
typed by hand with :data:`TYPED`.

Nothing here knows about Jinja or the document model.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class Sign(Enum):
    POSITIVE = 1
    NEGATIVE = -1


@dataclass(frozen=True, slots=True)
class Pair:
    """The word for a positive number, for a negative one, and for zero."""

    positive: str
    negative: str
    zero: str

    def word(self, shown: Decimal, reverse: bool = False) -> str:
        if shown == 0:
            return self.zero
        positive = (shown > 0) != reverse
        return self.positive if positive else self.negative


# Filter name in a chapter -> words. The name lists the positive word first, so
# ``| okade_minskade`` reads as "ökade if positive, minskade if negative".
PAIRS: dict[str, Pair] = {
    "okade_minskade": Pair("ökade", "minskade", "var oförändrade"),
    "okat_minskat": Pair("ökat", "minskat", "varit oförändrat"),
    "okar_minskar": Pair("ökar", "minskar", "är oförändrade"),
    "okning_minskning": Pair("ökning", "minskning", "oförändrad nivå"),
    "steg_sjonk": Pair("steg", "sjönk", "var oförändrad"),
    "hogre_lagre": Pair("högre", "lägre", "lika"),
    "mer_mindre": Pair("mer", "mindre", "lika mycket"),
    "overskott_underskott": Pair("överskott", "underskott", "nollresultat"),
    "battre_samre": Pair("bättre", "sämre", "lika"),
    "positivt_negativt": Pair("positivt", "negativt", "oförändrat"),
    "positiv_negativ": Pair("positiv", "negativ", "oförändrad"),
}

# Words typed by hand that claim a sign, as the reader understands them next to
# a number: "ökade med 5 tkr" claims +5, "5 tkr lägre" claims −5. Inflections
# are listed, not stemmed, so that no unrelated word matches.
_POSITIVE = (
    "ökade ökat ökar ökning ökningen ökningar högre högst steg stigit stiger överskott "
    "överskottet överskotten bättre positiv positivt positiva förbättring förbättringen"
)
_NEGATIVE = (
    "minskade minskat minskar minskning minskningen minskningar lägre lägst sjönk sjunkit "
    "sjunker underskott underskottet underskotten sämre negativ negativt negativa försämring "
    "försämringen"
)
TYPED: dict[str, Sign] = {
    **{w: Sign.POSITIVE for w in _POSITIVE.split(" ")},
    **{w: Sign.NEGATIVE for w in _NEGATIVE.split(" ")},
}
