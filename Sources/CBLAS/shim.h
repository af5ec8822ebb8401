// OpenBLAS's CBLAS interface (Debian: libopenblas-dev puts cblas.h in the multiarch include dir).
#include <cblas.h>
