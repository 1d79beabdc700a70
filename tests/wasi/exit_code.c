/* exit_code.c — proc_exit: the status given on the command line becomes the run's status;
 * output written before exiting is flushed. */
#include <stdlib.h>

#include "t.h"

int main(int argc, char **argv)
{
    int code = argc > 1 ? atoi(argv[1]) : 0;
    printf("exiting with %d\n", code);
    fflush(stdout);
    __wasi_proc_exit((__wasi_exitcode_t)code);
    return 99; /* not reached */
}
