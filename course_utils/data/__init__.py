from .text import CharVocab as CharVocab
from .text import load_text as load_text
