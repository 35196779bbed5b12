from .sequences import adding_problem, copy_memory, copy_memory_baseline  # noqa: F401
from .text import CharVocab as CharVocab
from .text import load_text as load_text
