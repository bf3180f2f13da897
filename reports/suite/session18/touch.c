#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
int main(int c,char**v){ size_t gb=atol(v[1]); size_t n=gb<<30; struct timespec a,b; clock_gettime(CLOCK_MONOTONIC,&a);
 char*p=malloc(n); for(size_t i=0;i<n;i+=4096)p[i]=1; clock_gettime(CLOCK_MONOTONIC,&b);
 printf("%zu GiB first touch %.2f s\n",gb,(b.tv_sec-a.tv_sec)+(b.tv_nsec-a.tv_nsec)/1e9); return p[12345];}
