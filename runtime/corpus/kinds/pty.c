/* A pseudo-terminal pair (/dev/ptmx) with the slave in raw mode at 9600 baud and a window size 33x111: after the
   move the settings and size are kept and bytes pass both ways. */
#include "corpus.h"
#include <termios.h>
#include <sys/ioctl.h>

int main(void)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    SETUP_OK(master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0, "posix_openpt");
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    SETUP_OK(slave >= 0, "opening the slave");
    struct termios t;
    SETUP_OK(tcgetattr(slave, &t) == 0, "tcgetattr");
    cfmakeraw(&t);
    cfsetospeed(&t, B9600);
    cfsetispeed(&t, B9600);
    SETUP_OK(tcsetattr(slave, TCSANOW, &t) == 0, "tcsetattr");
    struct winsize ws = { .ws_row = 33, .ws_col = 111 };
    SETUP_OK(ioctl(master, TIOCSWINSZ, &ws) == 0, "TIOCSWINSZ");
    corpus_ready_then_wait();
    struct termios now;
    CHECK(tcgetattr(slave, &now) == 0 && !(now.c_lflag & (ICANON | ECHO)) && cfgetospeed(&now) == B9600, "the terminal settings changed");
    struct winsize wnow;
    CHECK(ioctl(slave, TIOCGWINSZ, &wnow) == 0 && wnow.ws_row == 33 && wnow.ws_col == 111, "window %dx%d", wnow.ws_row, wnow.ws_col);
    char c = 0;
    CHECK(write(master, "m", 1) == 1 && corpus_readable(slave, 2000) && read(slave, &c, 1) == 1 && c == 'm', "master to slave");
    CHECK(write(slave, "s", 1) == 1 && corpus_readable(master, 2000) && read(master, &c, 1) == 1 && c == 's', "slave to master");
    corpus_pass("pty pair: raw mode, 9600 baud, 33x111, bytes both ways");
}
