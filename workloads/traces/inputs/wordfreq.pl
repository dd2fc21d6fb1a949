# Fixed workload for the recorder: the Perl twin of wordfreq.py (hashes, arrays, regexes,
# string building). No input, no randomness.
use strict;
use warnings;

my @words = qw(alloc free block heap list split merge top align size pool region
               first fit address order buffer chunk header footer bin page arena);
my ($x, @text) = (12345);
for my $i (0 .. 19999) {
    $x = ($x * 1103515245 + 12345) % 2**31;
    my $w = $words[$x % @words];
    $w = uc $w if $x % 7 == 0;
    $w .= $i % 97 if $x % 11 == 0;
    push @text, $w;
}
my $text = join ' ', @text;
my (%count, %next);
for my $i (0 .. $#text) {
    $count{lc $text[$i]}++;
    push @{ $next{$text[$i]} }, $text[$i + 1] if $i < $#text;
}
my @vowelly = grep { /[aeiou]{2}/i } keys %count;
(my $squeezed = $text) =~ s/([a-z])\1+/$1/g;
my @top = (sort { $count{$b} <=> $count{$a} || $a cmp $b } keys %count)[0 .. 9];
printf "%d %d %d %d %d\n", scalar @text, scalar keys %count, scalar keys %next,
    scalar @vowelly, length $squeezed;
print "$_ $count{$_}\n" for @top;
