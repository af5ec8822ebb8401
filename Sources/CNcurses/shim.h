// ncursesw with wide-character calls. Swift cannot import variadic functions (printw), macros
// (A_BOLD, COLOR_PAIR) or mutable globals under Swift 6 (stdscr, LINES, COLS), so the few the
// ncurses backend needs are wrapped here as static inline functions with the CNcurses_ prefix.
#ifndef CNCURSES_SHIM_H
#define CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/curses.h>

/// The C library's standard output and input streams (mutable globals, not importable under Swift 6).
static inline FILE *CNcurses_stdout(void) { return stdout; }
static inline FILE *CNcurses_stdin(void) { return stdin; }
/// The standard screen (a global, not importable under Swift 6).
static inline WINDOW *CNcurses_stdscr(void) { return stdscr; }
/// Terminal rows (the LINES global).
static inline int CNcurses_lines(void) { return LINES; }
/// Terminal columns (the COLS global).
static inline int CNcurses_cols(void) { return COLS; }
/// The A_BOLD attribute (a macro).
static inline attr_t CNcurses_A_BOLD(void) { return A_BOLD; }
/// The A_REVERSE attribute (a macro).
static inline attr_t CNcurses_A_REVERSE(void) { return A_REVERSE; }
/// The A_DIM attribute (a macro).
static inline attr_t CNcurses_A_DIM(void) { return A_DIM; }
/// The A_UNDERLINE attribute (a macro).
static inline attr_t CNcurses_A_UNDERLINE(void) { return A_UNDERLINE; }
/// The attribute for colour pair n (the COLOR_PAIR macro).
static inline attr_t CNcurses_COLOR_PAIR(int n) { return COLOR_PAIR(n); }
/// The KEY_RESIZE code (a macro).
static inline int CNcurses_KEY_RESIZE(void) { return KEY_RESIZE; }
/// Colours the terminal supports (the COLORS global).
static inline int CNcurses_colors(void) { return COLORS; }
/// Colour pairs the terminal supports (the COLOR_PAIRS global).
static inline int CNcurses_color_pairs(void) { return COLOR_PAIRS; }
/// Every button event (ALL_MOUSE_EVENTS: built by the NCURSES_MOUSE_MASK function-like macro).
static inline mmask_t CNcurses_ALL_MOUSE_EVENTS(void) { return ALL_MOUSE_EVENTS; }
/// Pointer motion (REPORT_MOUSE_POSITION: the same macro).
static inline mmask_t CNcurses_REPORT_MOUSE_POSITION(void) { return REPORT_MOUSE_POSITION; }
/// Button `button` (1…5; 4 and 5 are the wheel) went down (BUTTONn_PRESSED: the same macro).
static inline mmask_t CNcurses_BUTTON_PRESSED(int button) { return NCURSES_MOUSE_MASK(button, NCURSES_BUTTON_PRESSED); }
/// Button `button` came up (BUTTONn_RELEASED: the same macro).
static inline mmask_t CNcurses_BUTTON_RELEASED(int button) { return NCURSES_MOUSE_MASK(button, NCURSES_BUTTON_RELEASED); }
/// Button `button` went down and up (BUTTONn_CLICKED: ncurses merges a press and a release read together).
static inline mmask_t CNcurses_BUTTON_CLICKED(int button) { return NCURSES_MOUSE_MASK(button, NCURSES_BUTTON_CLICKED); }
/// Two or three clicks merged (BUTTONn_DOUBLE_CLICKED, BUTTONn_TRIPLE_CLICKED: the same macro).
static inline mmask_t CNcurses_BUTTON_DOUBLE_CLICKED(int button) { return NCURSES_MOUSE_MASK(button, NCURSES_DOUBLE_CLICKED); }
static inline mmask_t CNcurses_BUTTON_TRIPLE_CLICKED(int button) { return NCURSES_MOUSE_MASK(button, NCURSES_TRIPLE_CLICKED); }
/// Shift, Alt and Ctrl held during a mouse event (BUTTON_SHIFT, BUTTON_ALT, BUTTON_CTRL: the same macro).
static inline mmask_t CNcurses_BUTTON_SHIFT(void) { return BUTTON_SHIFT; }
static inline mmask_t CNcurses_BUTTON_ALT(void) { return BUTTON_ALT; }
static inline mmask_t CNcurses_BUTTON_CTRL(void) { return BUTTON_CTRL; }
/// Writes one wide-character string with attributes and colour pair at (y, x) (setcchar + mvadd_wch are macros around a struct).
static inline int CNcurses_put(int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    cchar_t cell;
    if (setcchar(&cell, text, attrs, pair, NULL) != OK) return ERR;
    return mvadd_wch(y, x, &cell);
}
#endif
