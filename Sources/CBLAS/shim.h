// OpenBLAS's CBLAS plus its thread and core queries (declared here too in case the cblas.h
// alternative points at a reference BLAS header).
#include <cblas.h>
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
